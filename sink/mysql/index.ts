export { mysqlSink } from './mysql-sink.js';
