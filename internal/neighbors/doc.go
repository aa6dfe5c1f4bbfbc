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
// runs the search for 64 sample points, counting the points scanned; it
// keeps the tree when scanned × (12 + d) ns is less than n × (0.8 + 0.022·d)
// ns, the per-point costs of the two methods measured on this machine (the
// probe runs without the seeding Train uses, hence the lower tree constant
// than a cold search costs). On uniform random data (n = 20,000, K = 20,
// one worker; BenchmarkCrossover, 2-core AMD EPYC with AVX2, CPU time) the
// crossover lies between d = 6 and d = 8:
//
//	d       2     4     6     8     10    12    16    32
//	tree   55   136   274   586  1361  3051  7329     -   ms
//	brute 330   322   356   331   362   357   402   588   ms
//
// Below 16 columns the brute force costs about 0.8 ns per pair whatever d
// (the screening, not the arithmetic), so the tree wins by pruning alone.
// Real data is rarely uniform and has a lower intrinsic dimension, so the
// tree wins further out: on shuttle (49,097 × 9) it takes 0.45 s against
// 1.56 s for brute force, while campaign (41,188 × 62) goes to brute
// force. The probe makes that call from the data instead of from d alone.
//
// Only the Euclidean metric is implemented.
package neighbors
