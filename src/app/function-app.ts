// Every function module of the app: what package.json "main" selects when the Functions host
// loads the app in Azure, for hosts that load the app by import instead (the local host).
import '../index';
import '../functions/audit';
import '../functions/credentials';
import '../functions/keys';
import '../functions/keyvault-events';
import '../functions/rotations';
import '../functions/scan';
import '../functions/workflow';
