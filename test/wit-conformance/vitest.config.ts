import { projectConfig } from "../../vitest.shared.js";

export default projectConfig("wit-conformance", { testTimeout: 60_000 });
