import { defineProject } from "vitest/config";

/**
 * Per-package test settings: workspace packages resolve to their TypeScript sources through
 * the `@wasm-pkg/source` export condition, so unit tests never need a build first.
 */
export function projectConfig(name: string, overrides: { testTimeout?: number } = {}) {
  return defineProject({
    resolve: { conditions: ["@wasm-pkg/source", "module", "node", "import", "default"] },
    ssr: { resolve: { conditions: ["@wasm-pkg/source", "node", "import", "default"] } },
    test: {
      name,
      include: ["test/**/*.test.ts"],
      environment: "node",
      testTimeout: overrides.testTimeout ?? 20_000,
      hookTimeout: 60_000,
      restoreMocks: true,
    },
  });
}
