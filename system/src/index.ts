export { prepareEnvironment, type PreparedEnvironment } from './prepare';
export { SERVICE_ENTRIES, type ServiceEntry } from './serviceEntries';
export { SupervisedProcess } from './supervisor';
export { waitUntilHealthy } from './waitUntilHealthy';
