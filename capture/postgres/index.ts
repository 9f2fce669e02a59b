export { postgresCapture } from './pg-capture.js';
