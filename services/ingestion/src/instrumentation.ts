import { startTelemetryOrExit } from '@curation/telemetry';

// The service's name as a literal: importing its module from here would load it untraced.
startTelemetryOrExit('ingestion');
