/**
 * The handlers' environment (lambdas/env.ts): a function missing its configuration says which.
 */
import * as assert from "assert";

import { requireEnv } from "../lambdas/env";

describe("handler environment", () => {
    it("names every missing variable at once", () => {
        assert.throws(() => requireEnv(["A", "B", "C"], { B: "x" }), /Missing environment variable\(s\): A, C/);
        assert.deepStrictEqual(requireEnv(["B"], { B: "x" }), { B: "x" });
    });
});
