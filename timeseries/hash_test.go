package timeseries

import "testing"

// The overlapping tail word must hash exactly as the byte-at-a-time
// definition does, and distinct strings must not collide.
func TestHashString(t *testing.T) {
	ref := func(s string) uint64 {
		b := []byte(s)
		h := uint64(len(s))*0x9e3779b97f4a7c15 ^ 0x243f6a8885a308d3
		for len(b) >= 8 {
			w := uint64(0)
			for i := 7; i >= 0; i-- {
				w = w<<8 | uint64(b[i])
			}
			h = (h ^ w) * 0xbf58476d1ce4e5b9
			h ^= h >> 29
			b = b[8:]
		}
		if len(b) > 0 {
			var t uint64
			for i := len(b) - 1; i >= 0; i-- {
				t = t<<8 | uint64(b[i])
			}
			h = (h ^ t) * 0x94d049bb133111eb
			h ^= h >> 32
		}
		h ^= h >> 30
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 27
		h *= 0x94d049bb133111eb
		h ^= h >> 31
		return h
	}
	seen := map[uint64]string{}
	s := ""
	for n := 0; n < 40; n++ {
		if got, want := hashString(s), ref(s); got != want {
			t.Fatalf("hash of %q: %x, want %x", s, got, want)
		}
		if prev, dup := seen[hashString(s)]; dup {
			t.Fatalf("%q and %q collide", s, prev)
		}
		seen[hashString(s)] = s
		s += string(rune('a' + n%26))
	}
	if emptyHash != ref("") {
		t.Fatal("emptyHash")
	}
}
