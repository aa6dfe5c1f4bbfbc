package score

import (
	"crypto/sha256"
	"time"
)

// Per-key state (Throttle, Sustain) lives in a keyed: a slice of entries that
// never grows past maxKeys, a map from key to slot, and a recency list that
// names the least recently used entry for eviction. Keys longer than
// maxKeyBytes are stored in a fixed-size form, so that memory is bounded in
// bytes, not only in keys.

// Defaults shared by the per-key states.
const (
	defaultMaxKeys     = 100_000
	defaultMaxKeyBytes = 256
	maxKeysLimit       = 1 << 30
	// minKeyBytes leaves room for the digest of a long key.
	minKeyBytes = 64
	maxKeyLimit = 1 << 20
	// entryOverhead is a generous per-key allowance for the slice entry,
	// the map's slot and the string header, used in the stated bound.
	entryOverhead = 160
)

// storedKey returns the form in which key is remembered: key itself when it
// has at most max bytes, else its first max−32 bytes, its SHA-256 digest and
// a 0xff byte. The long form has max+1 bytes, so it can never equal a short
// key, and two long keys share a form only if SHA-256 collides. A
// collision-resistant digest matters: a key an attacker chooses must not be
// made to share the state, and so the throttling, of another key.
func storedKey(key string, max int) string {
	if len(key) <= max {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	b := make([]byte, 0, max+1)
	b = append(b, key[:max-len(sum)]...)
	b = append(b, sum[:]...)
	return string(append(b, 0xff))
}

type keyedEntry[T any] struct {
	key        string
	val        T
	prev, next int32 // recency list, -1 at the ends
}

type keyed[T any] struct {
	maxKeys, maxKeyBytes int
	entries              []keyedEntry[T]
	index                map[string]int32
	head, tail           int32 // head is the least recently used
	churn                int   // evictions since the index was last rebuilt
	evictions            int
	hashed               int // keys longer than maxKeyBytes seen
}

func (k *keyed[T]) init(maxKeys, maxKeyBytes int) {
	k.maxKeys, k.maxKeyBytes = maxKeys, maxKeyBytes
	k.index = make(map[string]int32)
	k.head, k.tail = -1, -1
}

// get returns the entry of key, marked most recently used, and whether it
// existed; a new entry holds the zero T and may have evicted the least
// recently used one. The pointer is valid until the next call.
func (k *keyed[T]) get(key string) (*T, bool) {
	if len(key) > k.maxKeyBytes {
		key = storedKey(key, k.maxKeyBytes)
		k.hashed++
	}
	return k.getStored(key)
}

// getStored is get for a key already in its stored form.
func (k *keyed[T]) getStored(key string) (*T, bool) {
	if i, ok := k.index[key]; ok {
		k.unlink(i)
		k.pushBack(i)
		return &k.entries[i].val, true
	}
	var i int32
	if len(k.entries) < k.maxKeys {
		if len(k.entries) == cap(k.entries) {
			grown := make([]keyedEntry[T], len(k.entries), min(k.maxKeys, max(16, 2*cap(k.entries))))
			copy(grown, k.entries)
			k.entries = grown
		}
		k.entries = append(k.entries, keyedEntry[T]{})
		i = int32(len(k.entries) - 1)
	} else {
		i = k.head
		k.unlink(i)
		delete(k.index, k.entries[i].key)
		k.evictions++
		if k.churn++; k.churn >= k.maxKeys {
			k.rebuild()
		}
	}
	k.entries[i] = keyedEntry[T]{key: key}
	k.index[key] = i
	k.pushBack(i)
	return &k.entries[i].val, false
}

// peek returns the entry of key without touching the recency order.
func (k *keyed[T]) peek(key string) (*T, bool) {
	if len(key) > k.maxKeyBytes {
		key = storedKey(key, k.maxKeyBytes)
	}
	if i, ok := k.index[key]; ok {
		return &k.entries[i].val, true
	}
	return nil, false
}

// rebuild copies the index into a fresh map. A Go map that sees endless
// deletions and insertions may keep the space of deleted slots; rebuilding
// after every maxKeys evictions keeps its size proportional to maxKeys
// whatever the runtime does, at an amortised cost of one map insertion per
// eviction.
func (k *keyed[T]) rebuild() {
	fresh := make(map[string]int32, len(k.index))
	for key, v := range k.index {
		fresh[key] = v
	}
	k.index, k.churn = fresh, 0
}

func (k *keyed[T]) unlink(i int32) {
	e := &k.entries[i]
	if e.prev >= 0 {
		k.entries[e.prev].next = e.next
	} else {
		k.head = e.next
	}
	if e.next >= 0 {
		k.entries[e.next].prev = e.prev
	} else {
		k.tail = e.prev
	}
	e.prev, e.next = -1, -1
}

func (k *keyed[T]) pushBack(i int32) {
	e := &k.entries[i]
	e.prev, e.next = k.tail, -1
	if k.tail >= 0 {
		k.entries[k.tail].next = i
	} else {
		k.head = i
	}
	k.tail = i
}

// each calls f on the entries from least to most recently used.
func (k *keyed[T]) each(f func(key string, v *T)) {
	for i := k.head; i >= 0; i = k.entries[i].next {
		f(k.entries[i].key, &k.entries[i].val)
	}
}

// memoryBound is the stated bound in bytes on what the keys can hold.
func (k *keyed[T]) memoryBound() int {
	return k.maxKeys * (k.maxKeyBytes + 1 + entryOverhead)
}

func checkKeyBounds(what string, maxKeys, maxKeyBytes int) error {
	if maxKeys < 0 || maxKeys > maxKeysLimit {
		return errorf(ErrConfig, "%s key bound %d outside 1 to 2^30", what, maxKeys)
	}
	if maxKeyBytes != 0 && (maxKeyBytes < minKeyBytes || maxKeyBytes > maxKeyLimit) {
		return errorf(ErrConfig, "%s key length bound %d outside %d to 2^20", what, maxKeyBytes, minKeyBytes)
	}
	return nil
}

// putTime and getTime write a time as seconds and nanoseconds, which covers
// every time.Time without the overflow of UnixNano.
func unixParts(t time.Time) (int, int) { return int(t.Unix()), t.Nanosecond() }
