#include "forecast/principal_components.h"

#include <cmath>
#include <string>

#include "core/error.h"

namespace macropipe::forecast {

PrincipalComponents FitPrincipalComponents(const Eigen::MatrixXd& data, int count) {
  if (count < 0 || count > data.cols() || data.rows() < 2) {
    throw Error(ErrorCode::kInvalidInput,
                "cannot fit " + std::to_string(count) + " principal components to " +
                    std::to_string(data.rows()) + " rows of " + std::to_string(data.cols()) +
                    " columns; ask for at most as many components as columns");
  }
  PrincipalComponents pcs;
  double rows = static_cast<double>(data.rows());
  pcs.means = data.colwise().mean().transpose();
  Eigen::MatrixXd centered = data.rowwise() - pcs.means.transpose();
  pcs.scales = (centered.colwise().squaredNorm() / (rows - 1)).cwiseSqrt().transpose();
  for (Eigen::Index j = 0; j < pcs.scales.size(); ++j) {
    if (!(pcs.scales(j) > 0)) pcs.scales(j) = 1;
  }
  Eigen::MatrixXd standardized = centered * pcs.scales.cwiseInverse().asDiagonal();
  Eigen::MatrixXd correlation = standardized.transpose() * standardized / (rows - 1);

  // SelfAdjointEigenSolver sorts eigenvalues in increasing order.
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(correlation);
  pcs.loadings = solver.eigenvectors().rightCols(count).rowwise().reverse();
  for (Eigen::Index k = 0; k < pcs.loadings.cols(); ++k) {
    Eigen::Index largest = 0;
    pcs.loadings.col(k).cwiseAbs().maxCoeff(&largest);
    if (pcs.loadings(largest, k) < 0) pcs.loadings.col(k) *= -1;
  }
  return pcs;
}

Eigen::MatrixXd PrincipalComponents::Scores(const Eigen::MatrixXd& data) const {
  Eigen::MatrixXd standardized(data.rows(), data.cols());
  for (Eigen::Index i = 0; i < data.rows(); ++i) {
    for (Eigen::Index j = 0; j < data.cols(); ++j) {
      double value = data(i, j);
      standardized(i, j) = std::isnan(value) ? 0 : (value - means(j)) / scales(j);
    }
  }
  return standardized * loadings;
}

}  // namespace macropipe::forecast
