export { postgresSink } from './pg-sink.js';
