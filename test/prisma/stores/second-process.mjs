// Starts the second process's thread on the TypeScript sources (a worker inherits no loader).
import { register } from "tsx/esm/api";

register();
await import("./second-process.ts");
