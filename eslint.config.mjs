import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    // Mutation testing copies the project into .stryker-tmp/ while it runs, and writes reports/.
    { ignores: ["**/node_modules/", "bin/", "**/*.js", ".stryker-tmp/", "reports/"] },
    eslint.configs.recommended,
    ...tseslint.configs.recommended,
    {
        // Tool configurations (this file, stryker.config.mjs) run in Node, which provides these.
        files: ["**/*.mjs"],
        languageOptions: { globals: { console: "readonly", process: "readonly", URL: "readonly", URLSearchParams: "readonly" } },
    },
    {
        rules: {
            // Mock-engine inputs and SDK responses are untyped by nature; tests read them freely.
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
            eqeqeq: ["error", "always"],
            "no-console": "off",
            // A function longer than this is split into named steps, in test support (fakes, servers,
            // the harness) as in production code. Only the test files themselves (describe blocks,
            // long by nature) and policy documents written as data are exempt: a document reads best whole.
            "max-lines-per-function": ["error", { max: 100, skipBlankLines: true, skipComments: true }],
        },
    },
    {
        files: ["tests/**/*.test.ts", "components/policies/*.ts"],
        rules: { "max-lines-per-function": "off" },
    },
);
