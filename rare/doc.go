// Package rare scores how surprising a categorical value is for an entity
// and for a population, in bounded memory: the model behind Elastic's rare
// and freq_rare detectors, for questions such as a host reaching an
// autonomous system it never used, an IPS rule name not seen for a month,
// or an employee opening a kind of record they never touch.
//
// # Observations and buckets
//
// Time is cut into buckets (Config.BucketSpan, default 5 minutes;
// Model.BucketOf and BucketOfSeconds map event times to bucket indices).
// Observe(bucket, entity, value) records that entity used value in bucket
// and returns, at once, how rare the value was before this bucket. The
// entity is a "by" or partition value, or "" for a job-wide series; the
// value is the categorical field. A value counts at most once per bucket and
// entity: a chatty value is not more normal for being chatty within one
// bucket. Repeats return Repeat with a running hit count (the interaction
// count freq_rare needs) and leave the model as it was. Every result is
// computed against the model as it stood when the bucket opened, so the
// order of observations within a bucket does not matter; the bucket is
// learned when a later one starts (or on Advance). Buckets must not go back
// (ErrTimeOrder); empty buckets in between decay the model like any other.
//
// ObserveHash takes keys from HashString or HashBytes (seeded 64-bit
// FNV-1a, finalised with SplitMix64; fixed across runs, never hash/maphash,
// so snapshots restore) and does not allocate. ObserveBatch does the same
// for many observations of one bucket and is faster on large models, since
// it overlaps their cache misses.
//
// # Probability
//
// Each entity keeps, per value, a decayed count of the buckets in which it
// used the value: a use b buckets ago weighs 2^(−b/h) with h the half-life
// in buckets (Config.HalfLife, default 30 days, about Elastic's rare decay).
// With C the entity's total and one observation of pseudo-mass α for values
// not seen yet, a value's share is c/(C + α) and its probability is
//
//	P(value) = (mass of the values no more likely + α) / (C + α)
//
// Elastic's definition: the total expected probability of all values that
// are no more likely than this one. "No more likely" means a count at most
// TieRatio·c + max(1, √c) (in observations): the √c term is one standard
// error of the count, Vigil's stand-in for the posterior bounds Elastic gets
// by sampling Beta marginals; TieRatio (default 2) says that a value used
// half as often as another is not rarer than it in any useful sense. With a
// strict order, the least used of 60 regular values always gets a
// probability near its own share, about 1/60, by chance alone; with it, the
// regular values stay well above 0.05 while never-seen values keep a small
// probability. A never-seen value's probability is at least α/(C + α) =
// 1/(C + 1), the documented floor, plus the share of the values seen at most
// about once; FirstForEntity flags it. An entity with no history gives
// probability 1 to everything (a brand-new entity's first values are not
// anomalous); History and Age let a caller discount young entities further.
//
// Typical is the share of the entity's median value (the value at which
// the shares, most used first, pass one half), Elastic's median
// concentration; Share is the value's own share (actual).
//
// # Population (rare … over) and freq_rare
//
// The population view gives each value a mass equal to the number of
// distinct entities that used it, each weighted by the decay since its last
// use, and scores it with the same formula: PopProbability, PopShare,
// PopTypical, Users and FirstForPopulation. Combiner turns the population
// probabilities of the values one entity touched in a bucket into one
// probability for the entity, counting distinct values (Rare, for `rare …
// over`) or interactions (FreqRare, for `freq_rare`); see its doc for the
// test.
//
// # Memory bound
//
// Config.MemoryLimit (default 128 MiB) bounds the model's heap. The model
// keeps its own accounted state below 45 % of it, as Elastic halves its
// limit for persistence copies: the rest is the garbage collector's
// headroom (with GOGC=100 the heap reaches about twice the live data).
// Stats reports the accounted bytes, the limit and every eviction.
//
// The head is exact: entity records (an open-addressing table), up to
// MaxValuesPerEntity (default 256) exact value counts per entity, and an
// exact distinct-user mass per value. The tail is two count-min sketches
// (write-up in sketch.go; read as count-mean-min, so that a flood that
// fills their counters does not make unseen keys look seen) holding the
// counts of evicted entity–value pairs and values, with each entity's and
// the population's tail mass kept exactly, so that probabilities account
// for it. The eviction policy, when a new record needs room:
//
//   - only state whose decayed mass is at most one observation is evicted
//     (the least useful: old, rare, or both), or state less used than the
//     sketch's count of the newcomer; state touched in the open bucket never
//     is;
//   - a new entity replaces the least established of 8 random entities;
//     if even that one is better established, the newcomer is refused
//     (RefusedEntities): it is scored as a new entity and learned in the
//     sketches only;
//   - a new value of an entity replaces the entity's least used value, or
//     goes to the tail (TailPairs), where its count is the sketch's;
//   - a new population value replaces the least used value, or goes to the
//     population sketch;
//   - tail pairs are de-duplicated within a bucket by a set of bounded size
//     (1/64 of the limit); past it, observations are still scored but not
//     learned (Dropped).
//
// A flood of unique values therefore churns through the slots of state
// worth at most one observation and cannot evict established values, which
// keep their exact counts, nor make them look rare: the flood's mass, being
// less likely than any regular value, can only raise their probabilities,
// and leaves other entities' untouched.
//
// # State
//
// A Model is not safe for concurrent use; shard entities over several
// models for parallelism. MarshalBinary snapshots everything, the open
// bucket included, in Vigil's versioned binary format (internal/codec:
// magic, version, CRC-32C, checked lengths), and a restored model continues
// bit for bit as the original. UnmarshalBinary never panics on untrusted
// bytes and allocates in proportion to the input.
//
// # Differences from Elastic
//
// Elastic keeps an unbounded Dirichlet over every value ever seen and
// computes the probability by sampling; this package bounds memory, uses a
// closed-form tie band (TieRatio, standard error), decays with a fixed
// half-life instead of Elastic's adaptive decay, and returns results as the
// observations arrive rather than at bucket end.
package rare
