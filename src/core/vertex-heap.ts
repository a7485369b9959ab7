/**
 * A binary min-heap of (vertex, key) for Dijkstra with lazy deletion: a vertex may be pushed again with a smaller
 * key, and the caller skips the stale entries it pops (a vertex it has already settled). Pure.
 */
export class VertexHeap {
  private readonly vertices: number[] = []
  private readonly keys: number[] = []

  get size (): number {
    return this.vertices.length
  }

  push (vertex: number, key: number): void {
    const { vertices, keys } = this
    let i = vertices.length
    vertices.push(vertex)
    keys.push(key)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (keys[parent]! <= key) break
      vertices[i] = vertices[parent]!
      keys[i] = keys[parent]!
      i = parent
    }
    vertices[i] = vertex
    keys[i] = key
  }

  pop (): number {
    const { vertices, keys } = this
    const top = vertices[0]!
    const lastVertex = vertices.pop()!
    const lastKey = keys.pop()!
    const n = vertices.length
    if (n > 0) {
      let i = 0
      for (;;) {
        let child = 2 * i + 1
        if (child >= n) break
        if (child + 1 < n && keys[child + 1]! < keys[child]!) child++
        if (keys[child]! >= lastKey) break
        vertices[i] = vertices[child]!
        keys[i] = keys[child]!
        i = child
      }
      vertices[i] = lastVertex
      keys[i] = lastKey
    }
    return top
  }
}
