/** The tests run the program through the same mock-engine runner as `npm run plan`. */
export * from "../tools/mockRun";
