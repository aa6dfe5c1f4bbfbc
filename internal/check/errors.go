package check

import (
	"errors"
	"fmt"
)

// Sentinel kinds of error. Public packages re-export them so that
// errors.Is(err, lof.ErrDimension) and errors.Is(err, iforest.ErrDimension)
// both hold for the same failure.
var (
	// ErrEmpty reports input with no rows or no columns.
	ErrEmpty = errors.New("empty input")
	// ErrNonFinite reports a NaN or ±Inf value in the input.
	ErrNonFinite = errors.New("non-finite value")
	// ErrDimension reports input whose width does not match the model.
	ErrDimension = errors.New("dimension mismatch")
	// ErrConfig reports an invalid configuration value.
	ErrConfig = errors.New("invalid configuration")
	// ErrCorrupt reports model bytes that are truncated, corrupt or of an
	// unknown format or version.
	ErrCorrupt = errors.New("corrupt or truncated data")
)

// Error is an error of a given Kind raised by package Pkg.
type Error struct {
	Pkg  string
	Kind error
	Msg  string
}

func (e *Error) Error() string { return e.Pkg + ": " + e.Msg }

// Unwrap returns the sentinel kind so that errors.Is matches it.
func (e *Error) Unwrap() error { return e.Kind }

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(pkg string, kind error, format string, args ...any) error {
	return &Error{Pkg: pkg, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}
