/**
 * Medusa 1.20's route configuration for the plugin's routes: a count file is posted whole (as
 * text/plain, or inside JSON), so its routes take bodies up to 20 MB (Medusa's
 * default is 100 kB, about 4,000 rows).
 */
export const config = {
  routes: [{ matcher: "/admin/stock/counts/*", bodyParser: { sizeLimit: "20mb" } }],
}
