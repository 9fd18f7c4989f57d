/**
 * docs/operations.md's table of what each configuration key needs is the program's: regenerated
 * here (every key of every shipped stack changed and reviewed) and compared.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { keyTable, renderKeyTable } from "../tools/keyTable";
import { ROOT } from "./harness";

describe("the configuration key table of docs/operations.md", function () {
    this.timeout(600_000);

    it("is what the program derives", async () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs", "operations.md"), "utf8");
        const shown = /<!-- key-table:start -->\n([\s\S]*?)\n<!-- key-table:end -->/.exec(doc)?.[1];
        assert.ok(shown, "docs/operations.md has the key-table markers");
        const rows = await keyTable();
        assert.strictEqual(shown, renderKeyTable(rows), "regenerate it: npm run --silent key-table");
        // What the table must show whatever else changes: the prefix strands files everywhere, and
        // retention is CI's.
        for (const cell of Object.values(rows.find((r) => r.key === "userFilesPrefix")!.cells)) assert.match(cell, /^administrator, data at risk$/);
        for (const cell of Object.values(rows.find((r) => r.key === "logRetentionDays")!.cells)) assert.strictEqual(cell, "CI");
    });
});
