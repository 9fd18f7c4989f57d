/**
 * A git revision of this repository laid out as a tree the mock runner can run: `git archive`
 * of the revision into a temporary folder, whose `node_modules` links to this tree's. Both runs
 * then load one copy of @pulumi/pulumi (Node resolves the link to the same files), so the mocks
 * set for one apply to the other. The base thus runs with this tree's packages: a change of
 * package versions is reviewed as if the base had them too (the review says so).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { ROOT } from "./mockRun";

export interface BaseTree {
    /** The commit the ref named. */
    readonly commit: string;
    readonly root: string;
    /** Removes the folder. */
    dispose(): void;
}

const git = (args: string[], cwd: string) => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/** Checks out `ref` of the repository at `repo`; rejects a ref git does not know, naming it. */
export function checkoutBase(ref: string, repo = ROOT): BaseTree {
    let commit: string;
    try {
        commit = git(["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`], repo);
    } catch {
        throw new Error(`--base '${ref}' is not a commit of this repository (fetch it first, e.g. git fetch origin main)`);
    }
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "plan-base-"));
    try {
        const archive = execFileSync("git", ["archive", "--format=tar", commit], { cwd: repo, maxBuffer: 512 * 1024 * 1024 });
        execFileSync("tar", ["-x", "-C", root], { input: archive });
        fs.symlinkSync(path.join(repo, "node_modules"), path.join(root, "node_modules"), "dir");
    } catch (error) {
        fs.rmSync(root, { recursive: true, force: true });
        throw error;
    }
    return { commit, root, dispose: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** The `@pulumi/aws` version a tree's package-lock.json pins, if any. */
export function providerVersion(root: string): string | undefined {
    try {
        const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8")) as { packages?: Record<string, { version?: string }> };
        return lock.packages?.["node_modules/@pulumi/aws"]?.version;
    } catch {
        return undefined;
    }
}

/**
 * The files of the offline analysis (analysis/, and the reviewed reach in tests/expected/) that
 * differ between two trees, added and removed ones included. A change review judges both trees
 * with the working tree's analysis, so a change of the promises themselves (a bound relaxed, a
 * capability dropped) passes its own judgement: the review names these files for a reader to check.
 */
export function changedAnalysisFiles(baseRoot: string, root: string): string[] {
    const filesOf = (tree: string) => {
        const found: string[] = [];
        for (const dir of ["analysis", path.join("tests", "expected")]) {
            if (!fs.existsSync(path.join(tree, dir))) continue;
            for (const name of fs.readdirSync(path.join(tree, dir), { recursive: true }) as string[]) {
                const file = path.join(dir, name);
                if (fs.statSync(path.join(tree, file)).isFile()) found.push(file.split(path.sep).join("/"));
            }
        }
        return found;
    };
    const read = (tree: string, file: string) => (fs.existsSync(path.join(tree, file)) ? fs.readFileSync(path.join(tree, file)) : undefined);
    const all = [...new Set([...filesOf(baseRoot), ...filesOf(root)])].sort();
    return all.filter((file) => {
        const [before, after] = [read(baseRoot, file), read(root, file)];
        return before === undefined || after === undefined || !before.equals(after);
    });
}
