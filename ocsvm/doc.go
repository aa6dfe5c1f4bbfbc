// Package ocsvm implements the ν-one-class support vector machine of
// Schölkopf et al. (2001), solved as libsvm solves it, and a scalable
// approximation for hundreds of thousands of rows.
package ocsvm
