/**
 * The README and the guides in docs/ render as written: parsed by a real Markdown parser
 * (markdown-it, CommonMark with GitHub's tables), every table is one table, every relative link
 * reaches a file and heading that exist, and the configuration table (docs/configuration.md) says
 * what the schema says and shows example values the program accepts: those the stack files ship
 * with, compared with a stack file for as long as it still holds them.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import MarkdownIt from "markdown-it";

import { GITHUB_OIDC_HOST } from "../components/ci/githubCi";
import { CONFIG_KEYS, ConfigKey, EXAMPLE_VALUES, isRequired, parseStackSettings } from "../components/config/stackSettings";
import { BENCH_CLI } from "../bench/args";
import { CliSpec } from "../cli/usage";
import { SMOKE_CLI } from "../smoke/cli";
import { CAPACITY_CLI } from "../tools/capacity";
import { KEY_TABLE_CLI } from "../tools/keyTable";
import { PLAN_CLI } from "../tools/plan";
import { STAGES_CLI } from "../tools/stages";
import { STAGES } from "./harness";
import { PROJECT, ROOT, stackFileConfig } from "./harness";

interface Table {
    /** The heading the table sits under. */
    readonly heading: string;
    /** Lines of the source the table spans, [first, end). */
    readonly lines: [number, number];
    readonly rows: string[][];
}

interface Parsed {
    readonly tables: Table[];
    /** 1-based numbers of lines that start with `|` outside any table or code block: rows the parser did not take as a table. */
    readonly strayRows: number[];
}

function parseMarkdown(markdown: string): Parsed {
    const tokens = new MarkdownIt().parse(markdown, {});
    const tables: Table[] = [];
    const covered: Array<[number, number]> = [];
    let heading = "";
    for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i];
        if (token.type === "heading_open") {
            heading = tokens[i + 1].content;
        } else if ((token.type === "fence" || token.type === "code_block") && token.map) {
            covered.push(token.map);
        } else if (token.type === "table_open" && token.map) {
            const rows: string[][] = [];
            for (i++; tokens[i].type !== "table_close"; i++) {
                if (tokens[i].type === "tr_open") {
                    rows.push([]);
                } else if (tokens[i].type === "inline") {
                    rows[rows.length - 1].push(tokens[i].content);
                }
            }
            tables.push({ heading, lines: token.map, rows });
            covered.push(token.map);
        }
    }
    const strayRows = markdown
        .split("\n")
        .map((line, index) => ({ line, index }))
        .filter(({ line, index }) => /^\s*\|/.test(line) && !covered.some(([first, end]) => index >= first && index < end))
        .map(({ index }) => index + 1);
    return { tables, strayRows };
}

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
/** The README and every guide in docs/, by path from the repository's root. */
/** The project's command-line tools, by npm script: the options each declares. */
const TOOLS: Record<string, CliSpec> = {
    plan: PLAN_CLI,
    stages: STAGES_CLI,
    "key-table": KEY_TABLE_CLI,
    capacity: CAPACITY_CLI,
    smoke: SMOKE_CLI,
    bench: BENCH_CLI,
};

/** Every `npm run [--silent] <script> [-- <args>]` of a Markdown text: the script and the `--options` its arguments name. */
function npmRuns(markdown: string): { script: string; flags: string[] }[] {
    return [...markdown.matchAll(/npm run (?:--silent )?([a-z][a-z:-]*)( -- [^`|#>\n]*)?/g)].map((m) => ({
        script: m[1],
        flags: (m[2] ?? "")
            .split(/\s+/)
            .filter((word) => /^--[a-z]/.test(word))
            .map((word) => word.split("=")[0]),
    }));
}

const DOCUMENTS = new Map<string, string>([
    ["README.md", README],
    ...fs
        .readdirSync(path.join(ROOT, "docs"))
        .filter((file) => file.endsWith(".md"))
        .map((file): [string, string] => [`docs/${file}`, fs.readFileSync(path.join(ROOT, "docs", file), "utf8")]),
]);
const CONFIGURATION = DOCUMENTS.get("docs/configuration.md") ?? "";

// GitHub's anchors: the heading's text in lowercase, punctuation dropped, spaces as '-'.
const slug = (heading: string) => heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
const headings = (markdown: string) =>
    new Set(new MarkdownIt().parse(markdown, {}).flatMap((token, i, tokens) => (token.type === "heading_open" ? [slug(tokens[i + 1].content)] : [])));

/** Every link's target as written, outside code: markdown-it's link tokens, inline ones included. */
function linkTargets(markdown: string): string[] {
    return new MarkdownIt()
        .parse(markdown, {})
        .flatMap((token) => (token.type === "inline" ? (token.children ?? []) : [token]))
        .filter((token) => token.type === "link_open")
        .map((token) => String(token.attrGet("href") ?? ""));
}

describe("README", () => {
    it("keeps the two commands that work on a fresh clone, and says what needs a real account", () => {
        const firstBlock = (heading: string) => /```sh\n([^\n]+)\n```/.exec(README.split(new RegExp(`^## ${heading}$`, "m"))[1] ?? "")?.[1];
        assert.strictEqual(firstBlock("Try it on this machine \\(no AWS account\\)"), "npm ci && npm run plan -- --all");
        assert.strictEqual(firstBlock("Run the tests"), "npm ci && npm run check");
        assert.match(README, /^## What needs a real account, and what does not\n\nNeeds AWS and the Pulumi CLI: /m);
        assert.ok(README.split("\n").length <= 200, `README.md is ${README.split("\n").length} lines: at most 200, the rest in docs/`);
    });

    it("deploys with steps that each refer to something real: keys, the policy pack, GitHub's provider", () => {
        const section = README.split(/^## Deploying to AWS/m)[1]?.split(/^### /m)[0] ?? "";
        const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
        const commands = block.split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter(Boolean);
        assert.ok(commands.length >= 6, block);
        for (const command of commands.filter((c) => c.startsWith("pulumi config set"))) {
            const key = command.split(/\s+/)[3];
            assert.ok(key.startsWith(`${PROJECT}:`) && key.slice(PROJECT.length + 1) in CONFIG_KEYS, `${command}: a key of the project`);
            const value = command.split(/\s+/)[4];
            assert.ok(!Object.values(EXAMPLE_VALUES).includes(value as never), `${command}: not the example a real preview refuses`);
        }
        // Every key a real preview refuses as an example is set before the preview.
        for (const name of Object.keys(EXAMPLE_VALUES)) {
            assert.ok(commands.some((c) => c.startsWith(`pulumi config set ${PROJECT}:${name} `)), `the steps set ${name}`);
        }
        const preview = commands.findIndex((c) => c.startsWith("pulumi preview"));
        const up = commands.findIndex((c) => c.startsWith("pulumi up"));
        assert.ok(preview > 0 && up > preview, "preview, then up");
        for (const command of [commands[preview], commands[up]]) assert.match(command, /--policy-pack policy$/);
        assert.ok(fs.existsSync(path.join(ROOT, "policy", "PulumiPolicy.yaml")), "the policy pack");
        assert.ok(commands.some((c) => c.includes("npm ci --prefix policy")) && fs.existsSync(path.join(ROOT, "policy", "package-lock.json")), "its dependencies installed");
        const provider = commands.find((c) => c.startsWith("aws iam create-open-id-connect-provider"));
        assert.ok(provider, "the account's GitHub provider, which every shipped stack file names");
        assert.ok(provider.includes(`--url https://${GITHUB_OIDC_HOST} `) && provider.endsWith("--client-id-list sts.amazonaws.com"), provider);
        for (const stage of STAGES) assert.strictEqual(stackFileConfig(stage).config[`${PROJECT}:githubOidcProvider`], "existing");
    });

    it("renders every table of the README and docs/ as one table: no row is left outside one", () => {
        const parsed = [...DOCUMENTS].map(([file, markdown]) => ({ file, ...parseMarkdown(markdown) }));
        const tables = parsed.reduce((sum, { tables }) => sum + tables.length, 0);
        assert.ok(tables >= 5, `tables found: ${tables}`);
        const stray = parsed.filter(({ strayRows }) => strayRows.length > 0).map(({ file, strayRows }) => `${file}: ${strayRows.join(", ")}`);
        assert.deepStrictEqual(stray, [], "lines starting with '|' that do not render as a table row");
    });

    it("catches a table that a blank line splits", () => {
        const split = [
            "| key | required |",
            "| --- | --- |",
            "| `aws:region` | yes |",
            "",
            "| `federated-access:callerAccountId` | yes |",
            "| `federated-access:callerDevRoleName` | no |",
            "",
        ].join("\n");
        const result = parseMarkdown(split);
        assert.strictEqual(result.tables.length, 1);
        assert.deepStrictEqual(result.strayRows, [5, 6], "the rows after the blank line render as plain text");
        assert.deepStrictEqual(parseMarkdown("```\n| not a table |\n```\n").strayRows, [], "code blocks are not tables");
    });

    it("lists every directory of the repository under Layout", () => {
        const layout = /^## Layout\n\n```\n([\s\S]*?)```/m.exec(README)?.[1];
        assert.ok(layout, "a code block under '## Layout'");
        const listed = new Set(layout.split("\n").map((line) => line.split(/\s/)[0].split("/")[0]));
        const ignored = fs
            .readFileSync(path.join(ROOT, ".gitignore"), "utf8")
            .split("\n")
            .map((line) => line.trim().replace(/\/$/, ""))
            .filter(Boolean);
        const directories = fs
            .readdirSync(ROOT, { withFileTypes: true })
            .filter((entry) => entry.isDirectory() && entry.name !== ".git" && !ignored.includes(entry.name))
            .map((entry) => entry.name);
        assert.deepStrictEqual(directories.filter((name) => !listed.has(name)), [], "directories the Layout section leaves out");
    });

    it("names only npm scripts that exist and, for the project's own tools, only options they take (README.md and docs/)", () => {
        const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: object }).scripts);
        const named = [...DOCUMENTS].flatMap(([file, markdown]) => npmRuns(markdown).map((run) => ({ file, ...run })));
        assert.ok(named.some((run) => run.script === "plan" && run.flags.includes("--base")), "the guides' npm run commands were read");
        const problems = named.flatMap(({ file, script, flags }) => {
            if (!scripts.includes(script)) return [`${file}: npm run ${script}: no such script`];
            const spec = TOOLS[script];
            return spec ? flags.filter((flag) => !(flag.slice(2) in spec.options)).map((flag) => `${file}: npm run ${script} -- ${flag}: not an option of the tool`) : [];
        });
        assert.deepStrictEqual(problems, []);
        // And it would notice one: a flag the tool does not take.
        assert.deepStrictEqual(npmRuns("`npm run --silent plan -- --all --bogus`"), [{ script: "plan", flags: ["--all", "--bogus"] }]);
        assert.ok(!("bogus" in PLAN_CLI.options));
    });

    it("links only to files that exist and, with an #anchor, to a heading they have (README.md and docs/)", () => {
        const links = [...DOCUMENTS].flatMap(([file, markdown]) =>
            linkTargets(markdown)
                .filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href)) // https:, mailto: … are not the repository's
                .map((href) => {
                    const [target, anchor] = href.split("#");
                    const resolved = target === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURIComponent(target)));
                    return { file, href, resolved, anchor };
                }),
        );
        assert.ok(
            links.some((link) => link.file === "docs/first-deploy.md" && link.resolved === "docs/configuration.md" && link.anchor === "choosing-the-backend-and-secrets-provider"),
            "the first-deploy guide links to the backend choice",
        );
        assert.ok(links.filter((link) => link.file === "README.md" && link.resolved.startsWith("docs/")).length >= 5, "the README links to the guides");
        const broken = links.filter(({ resolved, anchor }) => {
            const absolute = path.join(ROOT, resolved);
            if (resolved.startsWith("..") || !fs.existsSync(absolute)) return true;
            if (anchor === undefined) return false;
            return !resolved.endsWith(".md") || !headings(fs.readFileSync(absolute, "utf8")).has(anchor);
        });
        assert.deepStrictEqual(broken.map(({ file, href }) => `${file}: ${href}`), [], "links to files or headings that do not exist");
    });

    it("would catch a link to a heading that does not exist", () => {
        assert.ok(headings("## Choosing the backend and secrets provider\n").has("choosing-the-backend-and-secrets-provider"));
        assert.ok(headings("## Policy pack (CrossGuard)\n").has("policy-pack-crossguard"));
        assert.ok(headings("## Keyless CI (GitHub Actions)\n").has("keyless-ci-github-actions"));
        assert.deepStrictEqual(linkTargets("[a](x.md#y) `[b](z.md)`\n\n```\n[c](w.md)\n```\n"), ["x.md#y"], "links in code are not links");
    });

    describe("configuration table (docs/configuration.md)", () => {
        const table = parseMarkdown(CONFIGURATION).tables.find((t) => t.heading.startsWith("Configuration (per stack"));
        const rows = new Map((table?.rows.slice(1) ?? []).map((cells) => [cells[0].replace(/`/g, ""), cells]));
        const plain = (cell: string | undefined) => (cell ?? "").replace(/`/g, "").trim();

        it("has one row per key: aws:region and every key of the schema", () => {
            assert.ok(table, "a table under the 'Configuration (per stack …)' heading");
            const expected = ["aws:region", ...Object.keys(CONFIG_KEYS).map((k) => `${PROJECT}:${k}`)];
            assert.deepStrictEqual([...rows.keys()], expected);
        });

        it("says which keys are required, and each default as Pulumi.yaml declares it", () => {
            for (const [name, spec] of Object.entries(CONFIG_KEYS) as [string, ConfigKey][]) {
                const cell = plain(rows.get(`${PROJECT}:${name}`)?.[1]);
                if (isRequired(spec)) {
                    assert.strictEqual(cell, "yes", name);
                } else {
                    assert.match(cell, /^no\b/, name);
                    if (spec.default !== undefined && spec.default !== "") {
                        assert.ok(cell.includes(`(${String(spec.default)})`), `${name}: '${cell}' names the default ${String(spec.default)}`);
                    }
                }
            }
        });

        /** A stage's column as a configuration: an empty cell is a key the example leaves unset. */
        const exampleOf = (column: number) => {
            const value = (key: string) => plain(rows.get(key)?.[2 + column]) || undefined;
            return {
                project: (name: string) => value(`${PROJECT}:${name}`),
                aws: (name: string) => value(`aws:${name}`),
                keys: [...rows.keys()].filter((key) => value(key) !== undefined),
            };
        };

        it("shows, per stage, an example configuration the program accepts for that stage", () => {
            assert.ok(table, "a table under the 'Configuration (per stack …)' heading");
            const refused = STAGES.flatMap((stage, column) => {
                const example = exampleOf(column);
                // The program's own validation, as the mock engine runs it (example values allowed):
                // every value of the schema's form, prod's protection, the keys that need a repository.
                try {
                    parseStackSettings(stage, example.project, example.aws, { configKeys: example.keys, isSecret: () => true });
                    return [];
                } catch (error) {
                    return [`docs/configuration.md's ${stage} column: ${(error as Error).message}`];
                }
            });
            assert.deepStrictEqual(refused, []);
        });

        it("shows the example values the program knows as examples (and a real preview refuses)", () => {
            STAGES.forEach((stage, column) => {
                const example = exampleOf(column);
                for (const [name, value] of Object.entries(EXAMPLE_VALUES)) {
                    assert.strictEqual(example.project(name), value, `${PROJECT}:${name} in ${stage}`);
                }
            });
        });

        // The columns are the examples the stack files ship with. Once a stack file is configured
        // for a real account (a real preview refuses the example account), its values are the
        // user's own and the reference cannot know them: the comparison is then skipped, visibly.
        STAGES.forEach((stage, column) => {
            it(`shows Pulumi.${stage}.yaml's values while it holds the shipped example (caller account ${EXAMPLE_VALUES.callerAccountId})`, function () {
                const { config } = stackFileConfig(stage);
                if (config[`${PROJECT}:callerAccountId`] !== EXAMPLE_VALUES.callerAccountId) {
                    this.skip(); // configured for a real account: the reference shows the example, not these values
                }
                for (const [key, cells] of rows) {
                    assert.strictEqual(plain(cells[2 + column]), config[key] ?? "", `${key} in ${stage}`);
                }
            });
        });
    });
});
