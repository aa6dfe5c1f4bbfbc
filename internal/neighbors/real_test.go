package neighbors

import (
	"context"
	"fmt"
	"testing"

	"github.com/vigil-ml/vigil/internal/testenv"
)

// loadReal returns a shared set as row-major data, skipping when absent.
func loadReal(tb testing.TB, name string) ([]float64, int, int) {
	ds := testenv.Data(tb, name)
	n, d := ds.X.Dims()
	return ds.X.RawMatrix().Data, n, d
}

// BenchmarkTrainReal times the all-points k=20 search on real sets with
// each method, single worker.
func BenchmarkTrainReal(b *testing.B) {
	for _, name := range []string{"shuttle", "mnist", "campaign"} {
		for _, m := range []Method{Tree, Brute} {
			b.Run(fmt.Sprintf("%s/%v", name, m), func(b *testing.B) {
				data, n, d := loadReal(b, name)
				for b.Loop() {
					ix := New(data, n, d, m)
					if _, _, err := ix.Train(context.Background(), 20, 1); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
