import Foundation
import PackagePlugin

/// Before each build of the client's core: `EmbeddedThemes.swift`, the shipped
/// `themes/*.theme` files as string literals, so a `storefront` binary copied
/// anywhere alone still has its four themes. The files stay the one source: the
/// Swift file is rewritten only when one of them changed.
@main
struct EmbedThemes: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let themes = context.package.directoryURL.appending(path: "themes")
        let script = #####"""
            out="$1"; themes="$2"
            mkdir -p "$out"
            tmp="$out/EmbeddedThemes.swift.next"
            {
                printf '// Generated from themes/*.theme before each build (Plugins/EmbedThemes); do not edit.\n'
                printf 'enum EmbeddedThemes {\n    static let sources: [String: String] = [\n'
                for file in "$themes"/*.theme; do
                    [ -f "$file" ] || continue
                    name=$(basename "$file" .theme)
                    printf '        "%s": ####"""\n' "$name"
                    cat "$file"
                    printf '\n"""####,\n'
                done
                printf '    ]\n}\n'
            } > "$tmp"
            if cmp -s "$tmp" "$out/EmbeddedThemes.swift"; then rm "$tmp"; else mv "$tmp" "$out/EmbeddedThemes.swift"; fi
            """#####
        return [.prebuildCommand(displayName: "Embedding the shipped themes", executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script, "embed-themes", output.path, themes.path],
                                 outputFilesDirectory: output)]
    }
}
