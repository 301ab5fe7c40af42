import Foundation
import PackagePlugin

/// Before each build of the server command: `BuildInfo.swift` with the commit of
/// the checkout being built (`nil` outside a git checkout, as in an image built
/// from a source archive), so `marketplace --version` names what it was built from.
/// The file is rewritten only when the commit changes, so an unchanged checkout
/// recompiles nothing.
@main
struct BuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let script = #"""
            out="$1/BuildInfo.swift"; dir="$2"
            mkdir -p "$1"
            if commit=$(git -C "$dir" rev-parse --short=12 HEAD 2>/dev/null); then
                git -C "$dir" diff --quiet HEAD -- 2>/dev/null || commit="$commit-modified"
                line="let buildCommit: String? = \"$commit\""
            else
                line="let buildCommit: String? = nil"
            fi
            [ "$(cat "$out" 2>/dev/null)" = "$line" ] || printf '%s\n' "$line" > "$out"
            """#
        return [.prebuildCommand(displayName: "Recording the build's commit", executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script, "build-info", output.path, context.package.directoryURL.path],
                                 outputFilesDirectory: output)]
    }
}
