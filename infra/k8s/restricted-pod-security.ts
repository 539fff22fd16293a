/**
 * The checks of the restricted Pod Security Standard (kubernetes.io/docs/concepts/security/
 * pod-security-standards, "Restricted", which includes "Baseline"), plus this project's own:
 * a read-only root filesystem with an emptyDir on /tmp. Returns what a restricted namespace
 * would refuse, so a test can show the list is empty.
 */

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
  seLinuxOptions?: { type?: string; user?: string; role?: string };
  appArmorProfile?: { type?: string };
  sysctls?: Array<{ name: string }>;
}

interface ContainerSpec {
  name: string;
  securityContext?: SecurityContext;
  ports?: Array<{ hostPort?: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

export interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
  ephemeralContainers?: ContainerSpec[];
  volumes?: Array<Record<string, unknown> & { name: string }>;
}

const ALLOWED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const ALLOWED_SECCOMP = new Set(['RuntimeDefault', 'Localhost']);
const ALLOWED_SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

export function restrictedPodViolations(pod: PodSpec): string[] {
  const violations: string[] = [];
  const podContext = pod.securityContext ?? {};
  if (pod.hostNetwork) violations.push('hostNetwork');
  if (pod.hostPID) violations.push('hostPID');
  if (pod.hostIPC) violations.push('hostIPC');
  for (const volume of pod.volumes ?? []) {
    const types = Object.keys(volume).filter((key) => key !== 'name');
    for (const type of types.filter((each) => !ALLOWED_VOLUME_TYPES.has(each)))
      violations.push(`volume ${volume.name}: type ${type}`);
  }
  for (const sysctl of podContext.sysctls ?? [])
    if (!SAFE_SYSCTLS.has(sysctl.name)) violations.push(`sysctl ${sysctl.name}`);
  if (podContext.runAsUser === 0) violations.push('pod: runAsUser 0');
  if (podContext.seccompProfile && !ALLOWED_SECCOMP.has(podContext.seccompProfile.type ?? ''))
    violations.push(`pod: seccompProfile ${podContext.seccompProfile.type}`);
  violations.push(...seLinuxViolations('pod', podContext));

  const containers = [
    ...(pod.containers ?? []),
    ...(pod.initContainers ?? []),
    ...(pod.ephemeralContainers ?? []),
  ];
  for (const container of containers) {
    const context = container.securityContext ?? {};
    const where = `container ${container.name}`;
    if (context.privileged) violations.push(`${where}: privileged`);
    if (context.allowPrivilegeEscalation !== false)
      violations.push(`${where}: allowPrivilegeEscalation is not false`);
    if (!(context.capabilities?.drop ?? []).includes('ALL'))
      violations.push(`${where}: capabilities.drop lacks ALL`);
    for (const added of context.capabilities?.add ?? [])
      if (added !== 'NET_BIND_SERVICE') violations.push(`${where}: adds capability ${added}`);
    if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true)
      violations.push(`${where}: runAsNonRoot is not true`);
    if (context.runAsUser === 0) violations.push(`${where}: runAsUser 0`);
    const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (!ALLOWED_SECCOMP.has(seccomp ?? ''))
      violations.push(`${where}: seccompProfile ${seccomp ?? 'unset'}`);
    if (context.procMount && context.procMount !== 'Default')
      violations.push(`${where}: procMount ${context.procMount}`);
    if (context.appArmorProfile && context.appArmorProfile.type !== 'RuntimeDefault')
      violations.push(`${where}: appArmorProfile ${context.appArmorProfile.type}`);
    violations.push(...seLinuxViolations(where, context));
    for (const port of container.ports ?? [])
      if (port.hostPort) violations.push(`${where}: hostPort ${port.hostPort}`);

    // This project's rules, beyond the standard.
    if (context.readOnlyRootFilesystem !== true)
      violations.push(`${where}: readOnlyRootFilesystem is not true`);
    const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
    const tmpVolume = pod.volumes?.find((volume) => volume.name === tmp?.name);
    if (!tmpVolume || !('emptyDir' in tmpVolume))
      violations.push(`${where}: no emptyDir mounted on /tmp`);
  }
  return violations;
}

function seLinuxViolations(where: string, context: SecurityContext): string[] {
  const options = context.seLinuxOptions;
  if (!options) return [];
  const violations: string[] = [];
  if (!ALLOWED_SELINUX_TYPES.has(options.type ?? ''))
    violations.push(`${where}: seLinuxOptions.type ${options.type}`);
  if (options.user || options.role) violations.push(`${where}: seLinuxOptions user or role`);
  return violations;
}
