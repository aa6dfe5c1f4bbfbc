package neighbors_test

import (
	"context"
	"fmt"

	"github.com/vigil-ml/vigil/internal/neighbors"
)

func Example() {
	// Five points on a line; 0 and 2 are equally far from 1.
	data := []float64{0, 1, 2, 4, 10}
	ix := neighbors.New(data, 5, 1, neighbors.Auto)
	dist, idx, err := ix.Train(context.Background(), 2, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < 5; i++ {
		fmt.Println(i, idx[2*i:2*i+2], dist[2*i:2*i+2])
	}
	// Output:
	// 0 [1 2] [1 2]
	// 1 [0 2] [1 1]
	// 2 [1 0] [1 2]
	// 3 [2 1] [2 3]
	// 4 [3 2] [6 8]
}
