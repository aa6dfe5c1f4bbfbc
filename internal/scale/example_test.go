package scale_test

import (
	"fmt"

	"github.com/vigil-ml/vigil/internal/scale"
)

func Example() {
	// Two columns: bytes sent (large) and a constant flag.
	data := []float64{
		1000, 1,
		3000, 1,
	}
	s := scale.Fit(data, 2, 2)
	fmt.Println(s.Mean, s.Scale)
	s.ApplyRows(data, 2)
	fmt.Println(data)
	// Output:
	// [2000 1] [1000 1]
	// [-1 0 1 0]
}
