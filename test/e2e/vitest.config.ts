import { projectConfig } from "../../vitest.shared.js";

export default projectConfig("e2e", { testTimeout: 60_000 });
