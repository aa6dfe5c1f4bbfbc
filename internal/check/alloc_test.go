package check_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/vigil-ml/vigil/internal/check"
	"github.com/vigil-ml/vigil/internal/testenv"
	"gonum.org/v1/gonum/mat"
)

// Row and View sit on every Score path: neither may allocate on success.
func TestNoAllocs(t *testing.T) {
	testenv.SkipAllocs(t)
	x := []float64{1, 2}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = check.Row("t", x, 2) }))
	X := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	assert.Zero(t, testing.AllocsPerRun(10, func() { _, _, _ = check.View("t", X, 2) }))
}
