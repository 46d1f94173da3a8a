// uPlot's ES module build, served beside the page's own modules; its types are the package's.
import uPlot from 'uplot'
export default uPlot
