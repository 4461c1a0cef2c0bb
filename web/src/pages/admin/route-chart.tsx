// One line chart of the traffic tab, the admin area's only user of recharts: a module of its own,
// loaded by import() when the tab draws a chart, so recharts (and the d3 parts it brings) are a chunk
// that only that tab downloads.
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'

export interface RouteChartProps {
  points: readonly Record<string, string | number>[]
  /** the data keys drawn, each with its colour */
  lines: readonly (readonly [key: string, color: string])[]
}

export default function RouteChart({ points, lines }: RouteChartProps) {
  return (
    <ResponsiveContainer>
      <LineChart data={points as Record<string, string | number>[]} margin={{ left: -10, right: 8 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="label" fontSize={11} />
        <YAxis fontSize={11} />
        <Tooltip />
        <Legend />
        {/* a line through one or two buckets is next to invisible: their points are drawn */}
        {lines.map(([k, color]) => <Line key={k} type="monotone" dataKey={k} stroke={color} dot={points.length <= 2} isAnimationActive={false} />)}
      </LineChart>
    </ResponsiveContainer>
  )
}
