import { LOGIN, LOGOUT } from "./commands-account.js";
import { COMPLETIONS } from "./commands-shell.js";
import { COMMON_OPTIONS, type CommandSpec, NETWORK_OPTIONS, type OptionSpec } from "./spec.js";

/** `wkg oci` auth and transport flags, as upstream (`-u`/`-p` also have long names here). */
const OCI_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  username: {
    type: "string",
    short: "u",
    valueName: "<USERNAME>",
    env: "WKG_OCI_USERNAME",
    description: "Registry username (needs --password)",
  },
  password: {
    type: "string",
    short: "p",
    valueName: "<PASSWORD>",
    env: "WKG_OCI_PASSWORD",
    description: "Registry password or token (needs --username)",
  },
  insecure: {
    type: "string",
    valueName: "<HOSTS>",
    env: "WKG_OCI_INSECURE",
    description: "Comma-separated registry hosts to reach over plain http (localhost and 127.0.0.1 always are)",
  },
  ...NETWORK_OPTIONS,
};

/**
 * Every command, declared without loading its code: help renders from here and each
 * command's module is imported only when it runs, so start-up stays fast.
 */
/** Flags shared by fetch, build and update (and their deprecated `wkg wit` forms). */
const WIT_PROJECT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  "wit-dir": { type: "string", short: "d", valueName: "<DIR>", description: "The WIT directory (default: wit)" },
  type: {
    type: "string",
    short: "t",
    valueName: "<TYPE>",
    choices: ["wit", "wasm"],
    default: "wit",
    description: "What to write into deps/: WIT text or the raw wasm of direct dependencies",
  },
  workspace: { type: "boolean", description: "Work on every member of the workspace around the current directory" },
  locked: { type: "boolean", description: "Fail (writing nothing) if wkg.lock would change" },
  offline: { type: "boolean", description: "Use only wkg.lock and the cache; never contact a registry" },
  ...NETWORK_OPTIONS,
  ...COMMON_OPTIONS,
};

const FETCH: CommandSpec = {
  name: "fetch",
  summary: "Fetch the WIT dependencies of a package into its deps/ directory",
  description:
    "Resolves the foreign packages the WIT imports (with [overrides] from wkg.toml, pins from wkg.lock,\n" +
    "and packages you keep in deps/ yourself), writes them to <DIR>/deps and updates wkg.lock.\n" +
    "From a workspace root (wkg.toml with [workspace] members), fetches for every member.",
  positionals: [{ name: "DIR", description: "The WIT directory (default: wit, or every workspace member)" }],
  options: WIT_PROJECT_OPTIONS,
  load: () => import("../commands/fetch.js"),
  examples: ["wkg fetch", "wkg fetch path/to/wit --locked", "wkg fetch --type wasm", "wkg fetch --offline"],
};

const BUILD: CommandSpec = {
  name: "build",
  summary: "Build a WIT package binary from a WIT directory",
  description:
    "Encodes the package of --wit-dir with the dependencies it uses embedded and metadata from wkg.toml\n" +
    "([metadata] authors, description, licenses, source, homepage, revision), and updates wkg.lock.",
  options: {
    ...WIT_PROJECT_OPTIONS,
    output: { type: "string", short: "o", valueName: "<PATH>", description: "Output file (default: <namespace>:<name>[@<version>].wasm)" },
    type: { ...WIT_PROJECT_OPTIONS.type, hidden: true } as OptionSpec,
  },
  load: () => import("../commands/build.js"),
  examples: ["wkg build", "wkg build -d wit -o my-pkg.wasm"],
};

const UPDATE: CommandSpec = {
  name: "update",
  summary: "Update dependencies to the newest versions their requirements allow",
  description: "Like fetch, but ignores wkg.lock's pins for the named packages (all when none is named).",
  positionals: [{ name: "PACKAGES", variadic: true, description: "Packages to update (<namespace>:<name>); default: all" }],
  options: WIT_PROJECT_OPTIONS,
  load: () => import("../commands/update.js"),
  examples: ["wkg update", "wkg update wasi:http"],
};

/** Where the graph commands find the project (they never write, and never need the network). */
const GRAPH_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  "wit-dir": WIT_PROJECT_OPTIONS["wit-dir"] as OptionSpec,
  workspace: { type: "boolean", description: "Show every member of the workspace around the current directory" },
  ...COMMON_OPTIONS,
};

const GRAPH_COMMANDS: readonly CommandSpec[] = [
  {
    name: "list",
    summary: "List the versions a registry holds for a package",
    description: "Newest first; pre-releases and yanked versions are marked. With --offline, the versions in the cache.",
    positionals: [{ name: "PACKAGE", required: true, description: "<namespace>:<name>" }],
    options: {
      registry: { type: "string", valueName: "<REGISTRY>", env: "WKG_REGISTRY", description: "The registry to ask" },
      offline: { type: "boolean", description: "List the versions in the cache; never contact a registry" },
      ...NETWORK_OPTIONS,
      ...COMMON_OPTIONS,
    },
    load: () => import("../commands/list.js"),
    examples: ["wkg list wasi:http", "wkg list wasi:http --registry localhost:5000 --json"],
  },
  {
    name: "tree",
    summary: "Show the resolved dependency graph of the project",
    description:
      "Which package imports which, with versions and where each comes from, read from wkg.lock, the cache\n" +
      "and wit/deps (never the network). A package whose dependencies were already shown is marked (*).\n" +
      "With PACKAGE, the tree below that dependency.",
    positionals: [{ name: "PACKAGE", description: "Start from this dependency (<namespace>:<name>[@<version>])" }],
    options: {
      depth: { type: "string", valueName: "<N>", description: "Show N levels of dependencies (0: the package alone)" },
      ...GRAPH_OPTIONS,
    },
    load: () => import("../commands/tree.js"),
    examples: ["wkg tree", "wkg tree --depth 1", "wkg tree wasi:http --json"],
  },
  {
    name: "why",
    summary: "Show why the project depends on a package",
    description:
      "Every path from the project's package to the dependency, and the WIT use/import lines (file:line)\n" +
      "that make each step. Read from wkg.lock, the cache and wit/deps (never the network).",
    positionals: [{ name: "PACKAGE", required: true, description: "<namespace>:<name>[@<version>]" }],
    options: GRAPH_OPTIONS,
    load: () => import("../commands/why.js"),
    examples: ["wkg why wasi:io", "wkg why wasi:io@0.2.0 --json"],
  },
  {
    name: "outdated",
    summary: "Show locked packages that have newer versions",
    description:
      "For each package in wkg.lock: the locked version, the newest its requirement allows (what `wkg update`\n" +
      "would pick) and the newest there is. Pre-releases count as latest only when a pre-release is locked.",
    options: {
      "exit-code": { type: "boolean", description: "Exit with status 1 when a package is behind (for CI)" },
      ...GRAPH_OPTIONS,
      ...NETWORK_OPTIONS,
    },
    load: () => import("../commands/outdated.js"),
    examples: ["wkg outdated", "wkg outdated --exit-code --json"],
  },
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "config",
    summary: "Show or change the wkg configuration",
    description:
      "Without flags, prints the default registry. The file is --config / WKG_CONFIG_FILE, else\n" +
      "$XDG_CONFIG_HOME/wasm-pkg/config.toml (~/.config/wasm-pkg/config.toml; %APPDATA% on Windows).\n" +
      "The registry tables of the project's wkg.toml (nearest above the current directory, or the\n" +
      "workspace root's) take precedence over that file; --registry / WKG_REGISTRY over both.",
    options: {
      "default-registry": {
        type: "string",
        valueName: "<REGISTRY>",
        description: "Set the default registry (keeps the rest of the file as it is)",
      },
      edit: {
        type: "boolean",
        short: "e",
        description: "Open the config file in $EDITOR (created from a commented template if missing)",
        conflicts: ["show"],
      },
      show: {
        type: "boolean",
        description:
          "Print the effective configuration (flags, environment, the project's wkg.toml, the config file, built-ins) and where each value comes from",
      },
      registry: {
        type: "string",
        valueName: "<REGISTRY>",
        env: "WKG_REGISTRY",
        description: "With --show: include the registry get and publish would be given",
      },
      ...COMMON_OPTIONS,
    },
    load: () => import("../commands/config.js"),
    examples: ["wkg config --default-registry localhost:5000", "wkg config --show", "wkg config --edit"],
  },
  {
    name: "get",
    summary: "Get a package",
    description:
      "Fetches a package from its registry (verified against its digest, through the cache) and writes it.\n" +
      "Without a version, the highest release is taken; a requirement (`@^1.2`) takes the highest match.\n" +
      "Pre-releases are only considered with --prerelease (or when the requirement names one).",
    positionals: [
      { name: "PACKAGE_SPEC", required: true, description: "<namespace>:<name>, optionally @<version> or @<requirement> (e.g. @^0.2)" },
    ],
    options: {
      output: {
        type: "string",
        short: "o",
        valueName: "<OUTPUT>",
        default: "./",
        description:
          "A directory (ending in /, or existing) gets <namespace>_<name>@<version>.wasm|.wit; anything else is the file to write",
      },
      format: {
        type: "string",
        valueName: "<FORMAT>",
        default: "auto",
        choices: ["auto", "wasm", "wit"],
        description: "auto: WIT text for a WIT package (or from a .wit/.wasm output name), else wasm",
      },
      overwrite: { type: "boolean", description: "Replace the output file if it exists", conflicts: ["check"] },
      check: {
        type: "boolean",
        description: "Compare the output file with the registry's copy instead of writing it (exit code 3 if it differs)",
        conflicts: ["overwrite"],
      },
      prerelease: { type: "boolean", description: "Let pre-release versions be picked as the latest or as a requirement's match" },
      registry: { type: "string", valueName: "<REGISTRY>", env: "WKG_REGISTRY", description: "The registry to get the package from" },
      offline: { type: "boolean", description: "Use only the cache (and local registries); never contact a registry" },
      ...NETWORK_OPTIONS,
      ...COMMON_OPTIONS,
    },
    load: () => import("../commands/get.js"),
    examples: ["wkg get wasi:http@0.2.0", "wkg get 'wasi:http@^0.2' -o wit/deps/", "wkg get wasi:http --check -o wasi-http.wasm"],
  },
  {
    name: "publish",
    summary: "Publish packages to a registry",
    description:
      "Publishes each file under the name and version its WIT package declares (or --package for a component).\n" +
      "A directory (a WIT directory, or a project with wit/) is built first, as `wkg build` does; publish\n" +
      "refuses when that would change wkg.lock. Several paths, or --workspace, are published in dependency\n" +
      "order, each built against the versions being published. A version that already exists is refused\n" +
      "(--skip-dupes skips it, so a rerun finishes an interrupted publish), and unless --skip-semver-check\n" +
      "the package must be a compatible change from its neighbours in the same series.",
    positionals: [{ name: "PATHS", variadic: true, description: "The .wasm files and directories to publish" }],
    options: {
      registry: { type: "string", valueName: "<REGISTRY>", env: "WKG_REGISTRY", description: "The registry to publish to" },
      package: {
        type: "string",
        valueName: "<PACKAGE>",
        env: "WKG_PACKAGE",
        description: "Publish under this <namespace>:<name>@<version> instead of the one in the file (one path only)",
      },
      "dry-run": { type: "boolean", description: "Resolve, build and check everything and print the plan, but upload nothing" },
      workspace: { type: "boolean", description: "Publish every member of the workspace around the current directory" },
      "skip-semver-check": { type: "boolean", description: "Do not check compatibility with the neighbouring published versions" },
      "skip-dupes": {
        type: "boolean",
        description: "Skip a version that already exists (reported as identical, or warned about when its content differs)",
        conflicts: ["overwrite"],
      },
      overwrite: {
        type: "boolean",
        description: "Replace a version that already exists (where the registry allows it)",
        conflicts: ["skip-dupes"],
      },
      ...NETWORK_OPTIONS,
      ...COMMON_OPTIONS,
    },
    load: () => import("../commands/publish.js"),
    examples: [
      "wkg publish wasi-http.wasm",
      "wkg publish app.wasm --package example:app@1.0.0 --registry localhost:5000",
      "wkg publish *.wasm --skip-dupes",
      "wkg publish wit/ --dry-run",
      "wkg publish --workspace --dry-run --json",
    ],
  },
  FETCH,
  BUILD,
  UPDATE,
  ...GRAPH_COMMANDS,
  {
    name: "oci",
    summary: "Pull or push a Wasm component by OCI reference",
    description:
      "Works on OCI references directly (`ghcr.io/owner/name:1.0.0`, `registry/name@sha256:…`), without\n" +
      "the wkg config file. Credentials: --username/--password, else WKG_REGISTRY_<HOST>_AUTH_BEARER,\n" +
      "else the Docker config ($DOCKER_CONFIG/config.json: auths, credHelpers, credsStore).",
    subcommands: [
      {
        name: "pull",
        summary: "Pull a component from an OCI registry and write it to a file",
        description:
          "The layer is verified against its digest before the file appears; nothing is left behind\n" +
          "on failure. The default file name is the repository with `/` as `_`, plus `.wasm`.",
        positionals: [{ name: "REFERENCE", required: true, description: "OCI reference: `registry/repository[:tag][@digest]`" }],
        options: {
          output: { type: "string", short: "o", valueName: "<OUTPUT>", description: "File to write (default: <repository>.wasm)" },
          ...OCI_OPTIONS,
        },
        load: () => import("../commands/oci/pull.js"),
        examples: ["wkg oci pull ghcr.io/webassembly/wasi/http:0.2.0 -o http.wasm", "wkg oci pull localhost:5000/demo/app@sha256:<digest>"],
      },
      {
        name: "push",
        summary: "Push a component to an OCI registry as a Wasm OCI artifact",
        description:
          "Prints the manifest digest. Pushing the same file with the same annotations again gives the\n" +
          "same digest (set SOURCE_DATE_EPOCH to record a creation time reproducibly).",
        positionals: [
          { name: "REFERENCE", required: true, description: "OCI reference to push to: `registry/repository:tag`" },
          { name: "FILE", required: true, description: "The .wasm component or module" },
        ],
        options: {
          author: { type: "string", short: "a", valueName: "<AUTHOR>", description: "Author recorded in the artifact's config" },
          annotation: {
            type: "string",
            multiple: true,
            valueName: "<KEY=VALUE>",
            description: "Manifest annotation (repeatable), e.g. org.opencontainers.image.description=…",
          },
          ...OCI_OPTIONS,
        },
        load: () => import("../commands/oci/push.js"),
        examples: [
          "wkg oci push ghcr.io/me/hello:0.1.0 hello.wasm",
          "wkg oci push localhost:5000/demo/app:1.0.0 app.wasm --annotation org.opencontainers.image.source=https://github.com/me/app",
        ],
      },
    ],
  },
  LOGIN,
  LOGOUT,
  COMPLETIONS,
  {
    name: "inspect",
    summary: "Show what a .wasm file or WIT directory holds",
    description:
      "For a WIT package (.wasm or .wat): its name, version, interfaces, worlds, dependencies and metadata.\n" +
      "For a component: its imports, exports and metadata; for a core module, those of the WIT it embeds.\n" +
      "For a WIT directory (with deps/) or a .wit file: parses and resolves it and shows the package, or\n" +
      "the error (exit status 1).",
    positionals: [{ name: "PATH", description: "A .wasm or .wat file, a .wit file or a WIT directory", required: true }],
    options: {
      wit: {
        type: "boolean",
        description: "Print the WIT, its other packages nested after it, exactly as `wasm-tools component wit` does",
      },
    },
    load: () => import("../commands/inspect.js"),
    examples: ["wkg inspect component.wasm", "wkg inspect wit/", "wkg inspect pkg.wasm --wit", "wkg inspect pkg.wasm --json"],
  },
  {
    name: "wit",
    summary: "Deprecated: `wkg wit fetch|build|update` are now `wkg fetch|build|update`",
    subcommands: [FETCH, BUILD, UPDATE].map((spec) => ({
      ...spec,
      deprecated: { warning: `\`wkg wit ${spec.name}\` is deprecated`, help: `use \`wkg ${spec.name}\` instead` },
    })),
  },
];
