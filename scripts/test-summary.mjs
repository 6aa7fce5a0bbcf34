#!/usr/bin/env node
// Prints `N passed, M failed` from vitest's JSON report; failed lint/type-check steps count
// as failures. Exits non-zero on any failure, or when the report is missing (a crash).
import { existsSync, readFileSync } from "node:fs";

const [reportPath, failedStepsArg = "0"] = process.argv.slice(2);
const failedSteps = Number(failedStepsArg);
if (!reportPath || !existsSync(reportPath)) {
  console.log(`0 passed, ${1 + failedSteps} failed`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportPath, "utf8"));
const passed = report.numPassedTests ?? 0;
// Suites that fail to load have no tests but are failures all the same.
const brokenSuites = (report.testResults ?? []).filter((r) => r.status === "failed" && (r.assertionResults ?? []).length === 0).length;
const failed = (report.numFailedTests ?? 0) + brokenSuites + failedSteps;
const pending = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (pending > 0) console.error(`note: ${pending} skipped or todo tests`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
