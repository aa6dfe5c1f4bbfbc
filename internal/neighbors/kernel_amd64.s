#include "textflag.h"

// func k6x8(a, b *float64, d, np int, c *float64, ldc int)
//
// a holds six rows packed column by column (a[6j+i] is row i, column j);
// b holds np panels of eight rows packed the same way (panel q at b[8dq:],
// element [8j+r]). For each panel q it writes the 6×8 products
// c[i*ldc + 8q + r] = Σ_j a[6j+i]·b[8dq+8j+r]. d ≥ 1.
TEXT ·k6x8(SB), NOSPLIT, $0-48
	MOVQ a+0(FP), AX
	MOVQ b+8(FP), BX
	MOVQ d+16(FP), CX
	MOVQ np+24(FP), DX
	MOVQ c+32(FP), DI
	MOVQ ldc+40(FP), R8
	SHLQ $3, R8

panel:
	TESTQ  DX, DX
	JZ     done
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPD Y12, Y12, Y12
	VXORPD Y13, Y13, Y13
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15
	MOVQ   AX, SI
	MOVQ   CX, R9

col:
	VMOVUPD      (BX), Y0
	VMOVUPD      32(BX), Y1
	VBROADCASTSD (SI), Y2
	VFMADD231PD  Y0, Y2, Y4
	VFMADD231PD  Y1, Y2, Y5
	VBROADCASTSD 8(SI), Y3
	VFMADD231PD  Y0, Y3, Y6
	VFMADD231PD  Y1, Y3, Y7
	VBROADCASTSD 16(SI), Y2
	VFMADD231PD  Y0, Y2, Y8
	VFMADD231PD  Y1, Y2, Y9
	VBROADCASTSD 24(SI), Y3
	VFMADD231PD  Y0, Y3, Y10
	VFMADD231PD  Y1, Y3, Y11
	VBROADCASTSD 32(SI), Y2
	VFMADD231PD  Y0, Y2, Y12
	VFMADD231PD  Y1, Y2, Y13
	VBROADCASTSD 40(SI), Y3
	VFMADD231PD  Y0, Y3, Y14
	VFMADD231PD  Y1, Y3, Y15
	ADDQ         $64, BX
	ADDQ         $48, SI
	DECQ         R9
	JNZ          col

	MOVQ    DI, R10
	VMOVUPD Y4, (R10)
	VMOVUPD Y5, 32(R10)
	ADDQ    R8, R10
	VMOVUPD Y6, (R10)
	VMOVUPD Y7, 32(R10)
	ADDQ    R8, R10
	VMOVUPD Y8, (R10)
	VMOVUPD Y9, 32(R10)
	ADDQ    R8, R10
	VMOVUPD Y10, (R10)
	VMOVUPD Y11, 32(R10)
	ADDQ    R8, R10
	VMOVUPD Y12, (R10)
	VMOVUPD Y13, 32(R10)
	ADDQ    R8, R10
	VMOVUPD Y14, (R10)
	VMOVUPD Y15, 32(R10)
	ADDQ    $64, DI
	DECQ    DX
	JMP     panel

done:
	VZEROUPPER
	RET

// func nextRow(g, rn []float64, t float64, start int) int
//
// The first j ≥ start with g[j] + rn[j] ≤ t, or len(g). len(rn) ≥ len(g).
TEXT ·nextRow(SB), NOSPLIT, $0-72
	MOVQ         g_base+0(FP), SI
	MOVQ         g_len+8(FP), CX
	MOVQ         rn_base+24(FP), DI
	VBROADCASTSD t+48(FP), Y2
	MOVQ         start+56(FP), AX

rowLoop:
	LEAQ      4(AX), DX
	CMPQ      DX, CX
	JGT       rowTail
	VMOVUPD   (SI)(AX*8), Y0
	VADDPD    (DI)(AX*8), Y0, Y0
	VCMPPD    $2, Y2, Y0, Y1
	VMOVMSKPD Y1, BX
	TESTL     BX, BX
	JNZ       rowFound
	MOVQ      DX, AX
	JMP       rowLoop

rowFound:
	BSFL BX, BX
	ADDQ BX, AX
	MOVQ AX, ret+64(FP)
	VZEROUPPER
	RET

rowTail:
	CMPQ     AX, CX
	JGE      rowDone
	VMOVSD   (SI)(AX*8), X0
	VADDSD   (DI)(AX*8), X0, X0
	VUCOMISD X2, X0
	JBE      rowHit
	INCQ     AX
	JMP      rowTail

rowHit:
	MOVQ AX, ret+64(FP)
	VZEROUPPER
	RET

rowDone:
	MOVQ CX, ret+64(FP)
	VZEROUPPER
	RET

// func nextCol(g, tc []float64, ni float64, start int) int
//
// The first j ≥ start with g[j] + ni ≤ tc[j], or len(g). len(tc) ≥ len(g).
TEXT ·nextCol(SB), NOSPLIT, $0-72
	MOVQ         g_base+0(FP), SI
	MOVQ         g_len+8(FP), CX
	MOVQ         tc_base+24(FP), DI
	VBROADCASTSD ni+48(FP), Y2
	MOVQ         start+56(FP), AX

colLoop:
	LEAQ      4(AX), DX
	CMPQ      DX, CX
	JGT       colTail
	VMOVUPD   (SI)(AX*8), Y0
	VADDPD    Y2, Y0, Y0
	VCMPPD    $2, (DI)(AX*8), Y0, Y1
	VMOVMSKPD Y1, BX
	TESTL     BX, BX
	JNZ       colFound
	MOVQ      DX, AX
	JMP       colLoop

colFound:
	BSFL BX, BX
	ADDQ BX, AX
	MOVQ AX, ret+64(FP)
	VZEROUPPER
	RET

colTail:
	CMPQ     AX, CX
	JGE      colDone
	VMOVSD   (SI)(AX*8), X0
	VADDSD   X2, X0, X0
	VMOVSD   (DI)(AX*8), X1
	VUCOMISD X1, X0
	JBE      colHit
	INCQ     AX
	JMP      colTail

colHit:
	MOVQ AX, ret+64(FP)
	VZEROUPPER
	RET

colDone:
	MOVQ CX, ret+64(FP)
	VZEROUPPER
	RET

// func k1x8(a, b *float64, d, np int, c *float64)
//
// One row a (d values) against np panels of eight rows packed as for k6x8:
// c[8q + r] = Σ_j a[j]·b[8dq + 8j + r]. Four panels run together so that
// eight independent sums hide the FMA latency. d ≥ 1.
TEXT ·k1x8(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), AX
	MOVQ b+8(FP), BX
	MOVQ d+16(FP), CX
	MOVQ np+24(FP), DX
	MOVQ c+32(FP), DI
	MOVQ CX, R11
	SHLQ $6, R11          // panel stride in bytes: 64·d
	LEAQ (R11)(R11*2), R12 // three panel strides

four:
	CMPQ   DX, $4
	JLT    one
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	MOVQ   AX, SI
	MOVQ   BX, R8
	MOVQ   CX, R9

fourCol:
	VBROADCASTSD (SI), Y0
	VFMADD231PD  (R8), Y0, Y4
	VFMADD231PD  32(R8), Y0, Y5
	VFMADD231PD  (R8)(R11*1), Y0, Y6
	VFMADD231PD  32(R8)(R11*1), Y0, Y7
	VFMADD231PD  (R8)(R11*2), Y0, Y8
	VFMADD231PD  32(R8)(R11*2), Y0, Y9
	VFMADD231PD  (R8)(R12*1), Y0, Y10
	VFMADD231PD  32(R8)(R12*1), Y0, Y11
	ADDQ         $8, SI
	ADDQ         $64, R8
	DECQ         R9
	JNZ          fourCol

	VMOVUPD Y4, (DI)
	VMOVUPD Y5, 32(DI)
	VMOVUPD Y6, 64(DI)
	VMOVUPD Y7, 96(DI)
	VMOVUPD Y8, 128(DI)
	VMOVUPD Y9, 160(DI)
	VMOVUPD Y10, 192(DI)
	VMOVUPD Y11, 224(DI)
	ADDQ    $256, DI
	LEAQ    (BX)(R11*4), BX
	SUBQ    $4, DX
	JMP     four

one:
	TESTQ  DX, DX
	JZ     oneDone
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	MOVQ   AX, SI
	MOVQ   CX, R9

oneCol:
	VBROADCASTSD (SI), Y0
	VFMADD231PD  (BX), Y0, Y4
	VFMADD231PD  32(BX), Y0, Y5
	ADDQ         $8, SI
	ADDQ         $64, BX
	DECQ         R9
	JNZ          oneCol

	VMOVUPD Y4, (DI)
	VMOVUPD Y5, 32(DI)
	ADDQ    $64, DI
	DECQ    DX
	JMP     one

oneDone:
	VZEROUPPER
	RET
