// Package check holds the input validation and the sentinel errors shared by
// every Vigil package.
//
// Errors carry the name of the package that returned them and say what was
// wrong and where ("iforest: row 17 has 9 features, model was fit on 10"),
// while errors.Is still matches the shared sentinels, which the public
// packages re-export.
package check
