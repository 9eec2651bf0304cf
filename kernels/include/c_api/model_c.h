/*
 * model_c.h - MindSpore Lite C API: building a model and running inference.
 *
 * micro generates one model per project: MSModelCreate hands out that model. Training
 * functions are declared so that applications link; on a micro model they report
 * kMSStatusLiteNotSupport (or return NULL / 0 / an empty array).
 */
#ifndef MINDSPORE_INCLUDE_C_API_MODEL_C_H
#define MINDSPORE_INCLUDE_C_API_MODEL_C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "c_api/context_c.h"
#include "c_api/status_c.h"
#include "c_api/tensor_c.h"
#include "c_api/types_c.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void *MSModelHandle;

typedef void *MSTrainCfgHandle;

typedef struct MSTensorHandleArray {
  size_t handle_num;
  MSTensorHandle *handle_list;
} MSTensorHandleArray;

#define MS_MAX_SHAPE_NUM 32
typedef struct MSShapeInfo {
  size_t shape_num;
  int64_t shape[MS_MAX_SHAPE_NUM];
} MSShapeInfo;

typedef struct MSCallBackParamC {
  char *node_name;
  char *node_type;
} MSCallBackParamC;

typedef bool (*MSKernelCallBackC)(const MSTensorHandleArray inputs,
                                  const MSTensorHandleArray outputs,
                                  const MSCallBackParamC kernel_Info);

/* ---- inference ---------------------------------------------------------------------- */

MS_API MSModelHandle MSModelCreate(void);

/* Frees what MSModelBuild allocated and sets *model to NULL. */
MS_API void MSModelDestroy(MSModelHandle *model);

/* Caller-owned activation memory for MSModelBuild (MCUs); at least
 * MSModelCalcWorkspaceSize bytes, any alignment. */
MS_API void MSModelSetWorkspace(MSModelHandle model, void *workspace, size_t workspace_size);
MS_API size_t MSModelCalcWorkspaceSize(MSModelHandle model);

/* model_data/data_size: the weight file (net.bin); NULL/0 when the weights are compiled in.
 * The data is copied: the caller may free it once Build returns. */
MS_API MSStatus MSModelBuild(MSModelHandle model, const void *model_data, size_t data_size,
                             MSModelType model_type, const MSContextHandle model_context);
MS_API MSStatus MSModelBuildFromFile(MSModelHandle model, const char *model_path,
                                     MSModelType model_type, const MSContextHandle model_context);

/* A micro model has fixed shapes: succeeds only when the shapes do not change. */
MS_API MSStatus MSModelResize(MSModelHandle model, const MSTensorHandleArray inputs,
                              MSShapeInfo *shape_infos, size_t shape_info_num);

MS_API MSStatus MSModelPredict(MSModelHandle model, const MSTensorHandleArray inputs,
                               MSTensorHandleArray *outputs, const MSKernelCallBackC before,
                               const MSKernelCallBackC after);

MS_API MSTensorHandleArray MSModelGetInputs(const MSModelHandle model);
MS_API MSTensorHandleArray MSModelGetOutputs(const MSModelHandle model);
MS_API MSTensorHandle MSModelGetInputByTensorName(const MSModelHandle model,
                                                  const char *tensor_name);
MS_API MSTensorHandle MSModelGetOutputByTensorName(const MSModelHandle model,
                                                   const char *tensor_name);

/* ---- training (not supported by micro models) ------------------------------------- */

MS_API MSStatus MSModelRunStep(MSModelHandle model, const MSKernelCallBackC before,
                               const MSKernelCallBackC after);
MS_API MSStatus MSModelSetTrainMode(MSModelHandle model, bool train);
MS_API bool MSModelGetTrainMode(MSModelHandle model);
MS_API MSStatus MSModelExportWeight(const MSModelHandle model, const char *export_path);

MS_API MSTrainCfgHandle MSTrainCfgCreate(void);
MS_API void MSTrainCfgDestroy(MSTrainCfgHandle *train_cfg);
MS_API char **MSTrainCfgGetLossName(MSTrainCfgHandle train_cfg, size_t *num);
MS_API void MSTrainCfgSetLossName(MSTrainCfgHandle train_cfg, const char **loss_name, size_t num);
MS_API MSOptimizationLevel MSTrainCfgGetOptimizationLevel(MSTrainCfgHandle train_cfg);
MS_API void MSTrainCfgSetOptimizationLevel(MSTrainCfgHandle train_cfg, MSOptimizationLevel level);

MS_API MSStatus MSTrainModelBuild(MSModelHandle model, const void *model_data, size_t data_size,
                                  MSModelType model_type, const MSContextHandle model_context,
                                  const MSTrainCfgHandle train_cfg);
MS_API MSStatus MSTrainModelBuildFromFile(MSModelHandle model, const char *model_path,
                                          MSModelType model_type,
                                          const MSContextHandle model_context,
                                          const MSTrainCfgHandle train_cfg);
MS_API MSStatus MSRunStep(MSModelHandle model, const MSKernelCallBackC before,
                          const MSKernelCallBackC after);
MS_API MSStatus MSModelSetLearningRate(MSModelHandle model, float learning_rate);
MS_API float MSModelGetLearningRate(MSModelHandle model);
MS_API MSTensorHandleArray MSModelGetWeights(MSModelHandle model);
MS_API MSStatus MSModelUpdateWeights(MSModelHandle model, const MSTensorHandleArray new_weights);
MS_API MSStatus MSModelSetupVirtualBatch(MSModelHandle model, int virtual_batch_multiplier,
                                         float lr, float momentum);
MS_API MSStatus MSExportModel(MSModelHandle model, MSModelType model_type, const char *model_file,
                              MSQuantizationType quantization_type, bool export_inference_only,
                              char **output_tensor_name, size_t num);
MS_API MSStatus MSExportModelBuffer(MSModelHandle model, MSModelType model_type, char **model_data,
                                    size_t *data_size, MSQuantizationType quantization_type,
                                    bool export_inference_only, char **output_tensor_name,
                                    size_t num);
MS_API MSStatus MSExportWeightsCollaborateWithMicro(MSModelHandle model, MSModelType model_type,
                                                    const char *weight_file, bool is_inference,
                                                    bool enable_fp16,
                                                    char **changeable_weights_name, size_t num);

#ifdef __cplusplus
}
#endif
#endif /* MINDSPORE_INCLUDE_C_API_MODEL_C_H */
