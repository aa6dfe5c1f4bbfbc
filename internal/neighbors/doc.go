// Package neighbors is Vigil's exact k-nearest-neighbour search, shared by
// the knn and lof detectors.
//
// An Index answers two questions exactly, in Euclidean distance: the K
// nearest other points of every indexed point (Train: a point is never its
// own neighbour, its duplicates are), and the K nearest indexed points of
// new points (Query, and the allocation-free Search for one point). Results
// are ordered by squared distance and then by index, so equal distances are
// always decided by the lower index, and every method, block size and
// worker count gives bit-identical output. Memory is O(n·K) for the results
// plus one block of scratch per worker; no n×n matrix is ever formed.
//
// # Methods
//
// Tree is a k-d tree split at the mean of the coordinate of largest
// variance (the median when the mean would leave under 1/64 of the points
// on one side), with leaves of up to 16 points stored contiguously and a
// tight bounding box per node. The search prunes internal nodes with the incremental
// distance of Arya and Mount (O(1) per node) and leaves with their tight
// box, abandoned as soon as it exceeds the current K-th distance. Training
// queries run in tree order and start from the neighbours of the previous
// query, which gives a tight bound before the first node is visited. Leaves
// of identical points are kept in index order, so a pile of duplicates
// costs K, not its size.
//
// Brute is a blocked exhaustive search: blocks of 48 queries against about
// 256 kB of reference rows, kept in k-d tree order so that blocks near the
// diagonal hold most neighbours, with the dot products of
// ‖x−y‖² = ‖x‖² + ‖y‖² − 2x·y computed by a packed 6×8 AVX2/FMA kernel (a
// portable Go kernel elsewhere). For training queries, which are the indexed
// points themselves, each block of dot products serves both of its row
// blocks, halving the kernel work. The expansion cancels badly for near
// duplicates, so it is used only as a screen: a candidate is dropped only if
// its expansion, minus a rigorous bound on its rounding error, exceeds the
// current K-th distance, and the distances kept are recomputed directly
// from the coordinates. The results are therefore those of a direct search,
// not of the expansion.
//
// # Choosing
//
// Auto uses Brute above 32 columns. At 32 or fewer it builds the tree and
// probes the data. On small sets, where either method takes milliseconds,
// it compares the points a tree search scans on 64 sample points with the
// pairs brute force screens, weighed by per-point costs measured on the
// development machine. Where either could take more than about 20 ms, it
// times both on this machine, on this data, in the calling thread's CPU
// time (so other load on the machine counts little): the tree's seeded
// Train loop on four runs of 12 training points, and brute force's screened
// search of the same 48 points against all rows. A few milliseconds of
// timing thus follow the machine's real speeds (SIMD width, caches, clock)
// instead of another machine's constants. The choice affects only speed:
// both methods return bit-identical neighbours. BenchmarkContinuous and
// BenchmarkCrossover show where each method wins; the figures are in
// benchmarks/README.md.
//
// Only the Euclidean metric is implemented.
package neighbors
