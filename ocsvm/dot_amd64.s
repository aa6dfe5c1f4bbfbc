#include "textflag.h"

#define REDUCE(Y, X) \
	VEXTRACTF128 $1, Y, X14 \
	VADDPD X14, X, X \
	VHADDPD X, X, X

// func dot2x4(a0, a1, b *float64, nq, p int, o0, o1 *float64)
//
// For each of nq consecutive groups of four rows of b (row stride p, a
// positive multiple of 4), writes the dot products of a0 and a1 with those
// rows to o0[0:4] and o1[0:4], advancing both by four. (The kernel of
// internal/neighbors, repeated here so that ocsvm depends only on what it
// needs.)
TEXT ·dot2x4(SB), NOSPLIT, $0-56
	MOVQ a0+0(FP), AX
	MOVQ a1+8(FP), BX
	MOVQ b+16(FP), CX
	MOVQ nq+24(FP), DX
	MOVQ p+32(FP), R8
	MOVQ o0+40(FP), R9
	MOVQ o1+48(FP), R10
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R11

quad:
	TESTQ DX, DX
	JZ    end
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	XORQ   SI, SI

inner:
	VMOVUPD     (AX)(SI*1), Y8
	VMOVUPD     (BX)(SI*1), Y9
	LEAQ        (CX)(SI*1), DI
	VMOVUPD     (DI), Y10
	VFMADD231PD Y10, Y8, Y0
	VFMADD231PD Y10, Y9, Y4
	VMOVUPD     (DI)(R8*1), Y11
	VFMADD231PD Y11, Y8, Y1
	VFMADD231PD Y11, Y9, Y5
	VMOVUPD     (DI)(R8*2), Y12
	VFMADD231PD Y12, Y8, Y2
	VFMADD231PD Y12, Y9, Y6
	VMOVUPD     (DI)(R11*1), Y13
	VFMADD231PD Y13, Y8, Y3
	VFMADD231PD Y13, Y9, Y7
	ADDQ        $32, SI
	CMPQ        SI, R8
	JLT         inner

	REDUCE(Y0, X0)
	REDUCE(Y1, X1)
	REDUCE(Y2, X2)
	REDUCE(Y3, X3)
	REDUCE(Y4, X4)
	REDUCE(Y5, X5)
	REDUCE(Y6, X6)
	REDUCE(Y7, X7)
	VMOVSD X0, (R9)
	VMOVSD X1, 8(R9)
	VMOVSD X2, 16(R9)
	VMOVSD X3, 24(R9)
	VMOVSD X4, (R10)
	VMOVSD X5, 8(R10)
	VMOVSD X6, 16(R10)
	VMOVSD X7, 24(R10)
	ADDQ   $32, R9
	ADDQ   $32, R10
	LEAQ   (CX)(R8*4), CX
	DECQ   DX
	JMP    quad

end:
	VZEROUPPER
	RET

// func dot1x4(a, b *float64, nq, p int, o *float64)
//
// dot2x4 for one row a.
TEXT ·dot1x4(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), AX
	MOVQ b+8(FP), CX
	MOVQ nq+16(FP), DX
	MOVQ p+24(FP), R8
	MOVQ o+32(FP), R9
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R11

quad1:
	TESTQ DX, DX
	JZ    end1
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   SI, SI

inner1:
	VMOVUPD     (AX)(SI*1), Y8
	LEAQ        (CX)(SI*1), DI
	VMOVUPD     (DI), Y10
	VFMADD231PD Y10, Y8, Y0
	VMOVUPD     (DI)(R8*1), Y11
	VFMADD231PD Y11, Y8, Y1
	VMOVUPD     (DI)(R8*2), Y12
	VFMADD231PD Y12, Y8, Y2
	VMOVUPD     (DI)(R11*1), Y13
	VFMADD231PD Y13, Y8, Y3
	ADDQ        $32, SI
	CMPQ        SI, R8
	JLT         inner1

	REDUCE(Y0, X0)
	REDUCE(Y1, X1)
	REDUCE(Y2, X2)
	REDUCE(Y3, X3)
	VMOVSD X0, (R9)
	VMOVSD X1, 8(R9)
	VMOVSD X2, 16(R9)
	VMOVSD X3, 24(R9)
	ADDQ   $32, R9
	LEAQ   (CX)(R8*4), CX
	DECQ   DX
	JMP    quad1

end1:
	VZEROUPPER
	RET

// func sqd1x4(a, b *float64, nq, p int, o *float64)
//
// For each of nq groups of four rows of b (stride p, a positive multiple of
// 4), writes the squared distances of a to those rows to o[0:4].
TEXT ·sqd1x4(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), AX
	MOVQ b+8(FP), CX
	MOVQ nq+16(FP), DX
	MOVQ p+24(FP), R8
	MOVQ o+32(FP), R9
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R11

quadsq:
	TESTQ DX, DX
	JZ    endsq
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   SI, SI

innersq:
	VMOVUPD     (AX)(SI*1), Y8
	LEAQ        (CX)(SI*1), DI
	VSUBPD      (DI), Y8, Y10
	VFMADD231PD Y10, Y10, Y0
	VSUBPD      (DI)(R8*1), Y8, Y11
	VFMADD231PD Y11, Y11, Y1
	VSUBPD      (DI)(R8*2), Y8, Y12
	VFMADD231PD Y12, Y12, Y2
	VSUBPD      (DI)(R11*1), Y8, Y13
	VFMADD231PD Y13, Y13, Y3
	ADDQ        $32, SI
	CMPQ        SI, R8
	JLT         innersq

	REDUCE(Y0, X0)
	REDUCE(Y1, X1)
	REDUCE(Y2, X2)
	REDUCE(Y3, X3)
	VMOVSD X0, (R9)
	VMOVSD X1, 8(R9)
	VMOVSD X2, 16(R9)
	VMOVSD X3, 24(R9)
	ADDQ   $32, R9
	LEAQ   (CX)(R8*4), CX
	DECQ   DX
	JMP    quadsq

endsq:
	VZEROUPPER
	RET
