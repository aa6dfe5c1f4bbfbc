package rare

import (
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// TestEntTable checks the open-addressing table against a Go map through
// random inserts and removals, small keys included (callers of ObserveHash
// may pass raw integers), across growth and shrinking.
func TestEntTable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var tb entTable
	ref := map[uint64]bool{}
	for step := range 200_000 {
		k := uint64(r.IntN(5000))
		if step > 100_000 {
			k = uint64(r.IntN(300)) // the table shrinks as keys go
		}
		if i := tb.find(k); i >= 0 {
			require.True(t, ref[k])
			if r.IntN(2) == 0 || step > 100_000 {
				tb.remove(i)
				delete(ref, k)
			}
		} else {
			require.False(t, ref[k], "key %d lost", k)
			if step <= 100_000 || r.IntN(4) == 0 {
				if tb.full() {
					tb.resize(max(minSlots, 2*len(tb.slots)))
				}
				tb.insert(entity{key: k})
				ref[k] = true
				// Tables too large for the cache read one line a record.
				if len(tb.slots) >= largeSlots {
					require.Zero(t, uintptr(unsafe.Pointer(&tb.slots[0]))%64, "slots of %d records", len(tb.slots))
				}
			}
		}
		require.Equal(t, len(ref), tb.n)
	}
	for k := range ref {
		require.GreaterOrEqual(t, tb.find(k), 0)
	}
	require.LessOrEqual(t, len(tb.slots), 8*tb.n+minSlots)
}
