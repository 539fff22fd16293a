// testTimeout is a global jest option, so the integration project sets its own here.
jest.setTimeout(120000);
