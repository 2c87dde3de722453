import { afterAll } from "vitest";
import { removeTempDirs } from "./cli.js";

// Config dirs and terminal recordings made by a test file go when the file is done.
afterAll(removeTempDirs);
