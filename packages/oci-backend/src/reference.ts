import { Digest, type PackageRef, Registry, Version, WkgError } from "@wasm-pkg/common";

// Grammar of the distribution reference (docker/distribution `reference` package), in our own words.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DOCKER_HUB = "docker.io";

/**
 * An OCI reference `registry/repository[:tag][@digest]`, as `docker pull` and upstream
 * `wkg oci` take it. With no registry part it means Docker Hub (`library/` is added to
 * one-component names); with neither tag nor digest it means `latest`.
 */
export class OciReference {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: Digest | undefined;

  constructor(registry: string, repository: string, tag?: string, digest?: Digest) {
    this.registry = Registry.parse(registry).authority;
    this.repository = checkRepository(repository, `${registry}/${repository}`);
    if (tag !== undefined && !TAG.test(tag)) {
      throw invalidRef(
        `${registry}/${repository}:${tag}`,
        `invalid tag ${JSON.stringify(tag)}`,
        "tags are 1-128 of [A-Za-z0-9_.-], not starting with . or -",
      );
    }
    this.tag = tag;
    this.digest = digest;
  }

  static parse(text: string): OciReference {
    const input = text.trim();
    if (input === "") throw invalidRef(text, "it is empty");
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
      throw invalidRef(text, "it has a URL scheme", `drop the scheme: \`${input.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")}\``);
    }
    let rest = input;
    let digest: Digest | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
      const digestText = rest.slice(at + 1);
      digest = Digest.tryParse(digestText);
      if (!digest) throw invalidRef(text, `invalid digest ${JSON.stringify(digestText)}`, "digests look like `sha256:<64 hex digits>`");
      rest = rest.slice(0, at);
    }
    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    if (colon > lastSlash) {
      tag = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
    const slash = rest.indexOf("/");
    let registry = DOCKER_HUB;
    let repository = rest;
    if (slash >= 0) {
      const first = rest.slice(0, slash);
      if (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase()) {
        registry = first;
        repository = rest.slice(slash + 1);
      }
    }
    if (registry === DOCKER_HUB && !repository.includes("/")) repository = `library/${repository}`;
    if (tag === undefined && digest === undefined) tag = "latest";
    return new OciReference(registry, repository, tag, digest);
  }

  /** What goes after `/manifests/`: the digest when there is one, else the tag. */
  get reference(): string {
    return this.digest ? this.digest.toString() : (this.tag ?? "latest");
  }

  /** The same repository with another tag or digest. */
  with(target: { tag?: string; digest?: Digest }): OciReference {
    return new OciReference(this.registry, this.repository, target.tag, target.digest);
  }

  toString(): string {
    return `${this.registry}/${this.repository}${this.tag ? `:${this.tag}` : ""}${this.digest ? `@${this.digest}` : ""}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

function checkRepository(repository: string, whole: string): string {
  if (repository.length === 0) throw invalidRef(whole, "the repository is empty");
  if (repository.length > 255) throw invalidRef(whole, "the repository name is longer than 255 characters");
  for (const part of repository.split("/")) {
    if (!COMPONENT.test(part)) {
      throw invalidRef(
        whole,
        `invalid repository component ${JSON.stringify(part)}`,
        "repository names are lowercase letters and digits, separated by `/`, `.`, `_`, `__` or dashes",
      );
    }
  }
  return repository;
}

function invalidRef(text: string, reason: string, hint?: string): WkgError {
  return new WkgError("INVALID_REFERENCE", `invalid OCI reference ${JSON.stringify(text)}: ${reason}`, {
    hint: hint ?? "OCI references look like `ghcr.io/owner/name:1.0.0` or `registry/name@sha256:<hex>`",
  });
}

/**
 * The repository upstream uses for a package: `<namespacePrefix><ns>/<name>`. The prefix is
 * concatenated verbatim (registry metadata carries its trailing `/`), as upstream does.
 */
export function repositoryFor(pkg: PackageRef, namespacePrefix = ""): string {
  return `${namespacePrefix}${pkg.namespace}/${pkg.name}`;
}

/**
 * The tag for a version. OCI tags cannot hold `+`, so build metadata is written with `_`
 * (the Helm and ORAS convention); every other version is its own tag, as upstream.
 */
export function versionToTag(version: Version): string {
  return version.toString().replace("+", "_");
}

/** The version a tag stands for, or undefined for tags that are not versions (`latest`, `sha256-...`). */
export function tagToVersion(tag: string): Version | undefined {
  return Version.tryParse(tag) ?? (tag.includes("_") ? Version.tryParse(tag.replace("_", "+")) : undefined);
}
