import { app } from '@azure/functions';

// The function files under functions/ register themselves when the host loads them (package.json
// "main"); this module only holds app-wide setup.
app.setup({ enableHttpStream: false });
