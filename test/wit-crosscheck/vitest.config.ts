import { projectConfig } from "../../vitest.shared.js";

export default projectConfig("wit-crosscheck", { testTimeout: 60_000 });
