export { mysqlCapture } from './mysql-capture.js';
