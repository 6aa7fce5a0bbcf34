import { type CommandSpec, NETWORK_OPTIONS, type OptionSpec } from "./spec.js";

const INSECURE: OptionSpec = {
  type: "boolean",
  description: "Reach the registry over plain http (localhost and 127.0.0.1 are tried over http anyway)",
};

const WHERE =
  "Credentials live where docker, podman, skopeo and oras read them: the credential helper that\n" +
  "$DOCKER_CONFIG/config.json (default ~/.docker/config.json) names in credHelpers or credsStore,\n" +
  "else its `auths` (the file is rewritten atomically, mode 0600, every other entry kept).";

/** `wkg login` / `wkg logout`: declared here, loaded only when run. */
export const LOGIN: CommandSpec = {
  name: "login",
  summary: "Log in to an OCI registry (stores credentials where docker and oras find them)",
  description:
    "Checks the credentials against the registry (GET /v2/, Basic or token auth) and stores them only\n" + `if it lets them in.\n${WHERE}`,
  positionals: [{ name: "REGISTRY", required: true, description: "The registry host, e.g. ghcr.io or localhost:5000" }],
  options: {
    username: { type: "string", short: "u", valueName: "<USERNAME>", description: "The user name" },
    "password-stdin": { type: "boolean", description: "Read the password (or token) from stdin", conflicts: ["password"] },
    password: {
      type: "string",
      short: "p",
      valueName: "<PASSWORD>",
      description: "The password on the command line (insecure: shell history, process list); prefer --password-stdin",
      conflicts: ["password-stdin"],
    },
    insecure: INSECURE,
    ...NETWORK_OPTIONS,
  },
  load: () => import("../commands/login.js"),
  examples: [
    'echo "$GITHUB_TOKEN" | wkg login ghcr.io -u octocat --password-stdin',
    "wkg login localhost:5000 -u me --password-stdin < token.txt",
  ],
};

export const LOGOUT: CommandSpec = {
  name: "logout",
  summary: "Remove the stored credentials of an OCI registry",
  description: `Erases them from the credential helper and from \`auths\`; not being logged in is not an error.\n${WHERE}`,
  positionals: [{ name: "REGISTRY", required: true, description: "The registry host, e.g. ghcr.io or localhost:5000" }],
  load: () => import("../commands/logout.js"),
  examples: ["wkg logout ghcr.io"],
};
