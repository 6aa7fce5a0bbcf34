import { projectConfig } from "../../vitest.shared.js";

export default projectConfig("faults", { testTimeout: 180_000 });
