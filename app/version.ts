import pkg from '../package.json';

export const APP_NAME: string = pkg.name;
export const APP_VERSION: string = pkg.version;
