/**
 * No import circles among the project's own modules: a circle makes the load order decide what a
 * module sees at its top level, and ties modules that a reader should be able to take one at a
 * time. The graph is read from every source file of the repository (tests, tools and the policy
 * pack included; node_modules and build output left out), type-only imports included: a type
 * shared by two modules belongs in a third that both import.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import * as ts from "typescript";

import { ROOT } from "./harness";

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIPPED_DIRECTORIES = new Set(["node_modules", "bin", ".git"]);

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return SKIPPED_DIRECTORIES.has(entry.name) ? [] : sourceFiles(full);
        return SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
    });
}

/** The project file a relative specifier names, as Node16 resolution and ts-node find it. */
function resolveRelative(from: string, specifier: string): string | undefined {
    const base = path.resolve(path.dirname(from), specifier);
    const stem = base.replace(/\.(js|mjs|cjs)$/, "");
    const candidates = [base, `${stem}.ts`, `${stem}.mts`, `${stem}.cts`, `${base}.ts`, `${base}.js`, path.join(base, "index.ts"), path.join(base, "index.js")];
    return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
}

/** Each file's imports of other project files: static and type-only imports, re-exports, require() and import(). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
    const graph = new Map<string, string[]>();
    for (const file of files) {
        const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
        const targets = importedFiles
            .map((i) => i.fileName)
            .filter((s) => s.startsWith("."))
            .map((s) => resolveRelative(file, s))
            .filter((t): t is string => t !== undefined && t !== file);
        graph.set(file, [...new Set(targets)]);
    }
    return graph;
}

/** The strongly connected components of more than one file (Tarjan), each sorted: the circles. */
export function circlesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const circles: string[][] = [];
    let next = 0;
    const visit = (node: string): void => {
        index.set(node, next);
        low.set(node, next);
        next++;
        stack.push(node);
        onStack.add(node);
        for (const to of graph.get(node) ?? []) {
            if (!index.has(to)) {
                visit(to);
                low.set(node, Math.min(low.get(node)!, low.get(to)!));
            } else if (onStack.has(to)) {
                low.set(node, Math.min(low.get(node)!, index.get(to)!));
            }
        }
        if (low.get(node) === index.get(node)) {
            const component: string[] = [];
            let member: string;
            do {
                member = stack.pop()!;
                onStack.delete(member);
                component.push(member);
            } while (member !== node);
            if (component.length > 1) circles.push(component.sort());
        }
    };
    for (const node of graph.keys()) if (!index.has(node)) visit(node);
    return circles;
}

describe("import circles", () => {
    it("finds a circle, and only a circle, in a graph it is given", () => {
        const graph = new Map([
            ["a", ["b"]],
            ["b", ["c"]],
            ["c", ["a", "d"]],
            ["d", []],
            ["e", ["d"]],
        ]);
        assert.deepStrictEqual(circlesOf(graph), [["a", "b", "c"]]);
        assert.deepStrictEqual(circlesOf(new Map([["a", ["b"]], ["b", []]])), []);
    });

    it("reads type-only imports, re-exports and require() as edges", () => {
        const dir = fs.mkdtempSync(path.join(ROOT, "tests", ".circles-"));
        try {
            fs.writeFileSync(path.join(dir, "a.ts"), `import type { B } from "./b";\nexport type A = B;\n`);
            fs.writeFileSync(path.join(dir, "b.ts"), `export { c } from "./c";\nexport type B = string;\n`);
            fs.writeFileSync(path.join(dir, "c.ts"), `const a = require("./a");\nexport const c = a;\n`);
            const files = ["a.ts", "b.ts", "c.ts"].map((f) => path.join(dir, f));
            assert.deepStrictEqual(circlesOf(importGraph(files)), [files]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("none among the project's own modules", () => {
        const files = sourceFiles(ROOT);
        assert.ok(files.length > 50, `expected the project's sources, found ${files.length} files under ${ROOT}`);
        const circles = circlesOf(importGraph(files)).map((c) => c.map((f) => path.relative(ROOT, f)).join(" <-> "));
        assert.deepStrictEqual(circles, [], `import circles (move what the files share to a module both import):\n  ${circles.join("\n  ")}`);
    });
});
