/**
 * Virtual queue of the long-term average-delay constraint lim (1/T) Σ_t E[τ_t] ≤ τ̄:
 * Q_{t+1} = max(Q_t + τ_t − τ̄, 0). Q grows while rounds run over budget; mean-rate stability of Q
 * is equivalent to meeting the constraint, and (1/T) Σ τ_t ≤ τ̄ + Q_T / T holds on every path.
 */
export class VirtualQueue {
  private q = 0;
  private sumDelay = 0;
  private rounds = 0;

  constructor(readonly budgetS: number) {}

  get backlog(): number {
    return this.q;
  }

  /** Running average of the round delays pushed so far (0 before the first). */
  get averageDelay(): number {
    return this.rounds ? this.sumDelay / this.rounds : 0;
  }

  push(roundDelayS: number): number {
    this.q = Math.max(this.q + roundDelayS - this.budgetS, 0);
    this.sumDelay += roundDelayS;
    this.rounds++;
    return this.q;
  }
}
