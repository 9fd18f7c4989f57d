/**
 * Every source analysis/providerActions.ts cites is one a reader can open: a public URL at a
 * full commit (provider source) or a public documentation URL; and no file of the repository
 * cites an id of a private search index.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import {
    Call,
    DATA_SOURCE_CALLS,
    DATA_SOURCE_NOTES,
    GAPS,
    PROVIDER_CALLS,
    PROVIDER_FILES,
    PROVIDER_STARTUP_CALLS,
    providerFileUrl,
    SERVICE_SIDE_REQUIREMENTS,
} from "../analysis/providerActions";

/** A GitHub file at a full 40-hex commit. */
const PINNED_SOURCE = /https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/blob\/[0-9a-f]{40}\/\S+/;
/** A documentation page: AWS documentation, or a file of the pinned @pulumi/aws release. */
const DOC_SOURCE = /https:\/\/(docs\.aws\.amazon\.com\/\S+|unpkg\.com\/@pulumi\/aws@\d+\.\d+\.\d+\/\S+)/;

function allCalls(): { where: string; call: Call }[] {
    const calls: { where: string; call: Call }[] = [];
    for (const [token, pc] of Object.entries(PROVIDER_CALLS)) {
        for (const phase of ["create", "read", "update", "delete", "tag"] as const) {
            for (const call of pc[phase]) calls.push({ where: `${token} ${phase}`, call });
        }
    }
    for (const call of PROVIDER_STARTUP_CALLS) calls.push({ where: "startup", call });
    for (const [token, list] of Object.entries(DATA_SOURCE_CALLS)) for (const call of list) calls.push({ where: token, call });
    for (const call of SERVICE_SIDE_REQUIREMENTS) calls.push({ where: "service-side", call });
    return calls;
}

describe("providerActions sources", () => {
    it("cite provider source as a public URL at a full commit, documentation as a public URL", () => {
        const bad = allCalls()
            .filter(({ call }) => {
                const basis = call.basis ?? "provider-source";
                return basis === "provider-source" ? !PINNED_SOURCE.test(call.source) : !DOC_SOURCE.test(call.source);
            })
            .map(({ where, call }) => `${where} ${call.action}: ${call.source}`);
        assert.deepStrictEqual(bad, []);
    });

    it("never cite an id of a private search index, in any file of the repository", () => {
        const root = path.join(__dirname, "..");
        const files = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);
        assert.ok(files.includes("analysis/providerActions.ts"), "git ls-files lists the repository's files");
        const citing = files
            .filter((file) => file !== "tests/providerActions.test.ts" && fs.existsSync(path.join(root, file)))
            .filter((file) => /\[(find_string )?idx\b|\bidx \d|search index/i.test(fs.readFileSync(path.join(root, file), "utf8")));
        assert.deepStrictEqual(citing, []);
        const text = fs.readFileSync(path.join(__dirname, "..", "analysis", "providerActions.ts"), "utf8");
        assert.ok(!/\[(find_string )?idx\b/.test(text), "an `[idx …]` citation is back in analysis/providerActions.ts");
        assert.ok(!/\bidx \d/.test(text), "a search-index id is back in analysis/providerActions.ts");
        const prose = [...GAPS, ...Object.values(DATA_SOURCE_NOTES), ...Object.values(PROVIDER_CALLS).flatMap((pc) => pc.notes ?? [])];
        assert.deepStrictEqual(prose.filter((p) => /\bidx\b/.test(p)), []);
    });

    it("pins every cited provider file to a full commit", () => {
        for (const [file, entry] of Object.entries(PROVIDER_FILES)) {
            assert.match(entry.commit, /^[0-9a-f]{40}$/, file);
            const short = file.startsWith("provider/") ? file : file.slice("service/".length);
            assert.strictEqual(providerFileUrl(short), `https://github.com/hashicorp/terraform-provider-aws/blob/${entry.commit}/internal/${file}`);
        }
    });
});
