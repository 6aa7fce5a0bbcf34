import { resolve } from "node:path";
import { safeSegment } from "@wasm-pkg/common";
import { OciReference } from "@wasm-pkg/oci-backend";
import type { CommandArgs, CommandOutput } from "../../cli/spec.js";
import type { Context } from "../../context.js";
import { ociClient } from "./client.js";

export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  const ref = OciReference.parse(args.positionals[0] as string);
  const given = typeof args.values.output === "string" ? args.values.output : undefined;
  // Upstream's default name: the repository with `/` as `_`, in the current directory.
  const output = given ?? safeSegment(`${ref.repository.replaceAll("/", "_")}.wasm`, "file name");
  const path = resolve(ctx.io.cwd, output);
  const client = ociClient(ctx, args);
  try {
    ctx.reporter.status("Pulling", ref.toString());
    const pulled = await client.pullToFile(ref, path, { signal: ctx.signal });
    return {
      text: `Successfully wrote ${ref} to ${output}`,
      json: {
        reference: ref.toString(),
        digest: pulled.manifestDigest.toString(),
        path,
        layer: { digest: pulled.layer.digest, size: pulled.layer.size, mediaType: pulled.layer.mediaType },
        ...(pulled.config ? { os: pulled.config.os } : {}),
        ...(pulled.manifest.annotations ? { annotations: pulled.manifest.annotations } : {}),
      },
    };
  } finally {
    await client.close();
  }
}
