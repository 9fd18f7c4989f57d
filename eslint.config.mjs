import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["**/node_modules/", "bin/", "**/*.js"] },
    eslint.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            // Mock-engine inputs and SDK responses are untyped by nature; tests read them freely.
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
            eqeqeq: ["error", "always"],
            "no-console": "off",
        },
    },
);
